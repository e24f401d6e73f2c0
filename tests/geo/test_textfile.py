"""One decoder for text tables (census grids and offer lists), on real file content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.census import read_census
from geo.errors import CensusFormatError, InputDataError, OfferImportError
from geo.textfile import DELIMITERS, decode_table_bytes, sniff_delimiter

TEXT = (
    "Name;Straße;Plätze\nKita Sonnenschein;Schloßplatz 1;45\nHort Grußendorf;Steingartenstraße;20\n"
)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8-sig"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
        (
            TEXT.splitlines(keepends=True)[0].encode("utf-8")
            + "".join(TEXT.splitlines(keepends=True)[1:]).encode("cp1252"),
            "mixed utf-8/cp1252",
        ),
    ],
)
def test_every_encoding_gives_the_same_text(data: bytes, encoding: str) -> None:
    assert decode_table_bytes(data, path="x.csv") == (TEXT, encoding)


@pytest.mark.parametrize("error", [InputDataError, OfferImportError, CensusFormatError])
def test_binary_content_raises_the_callers_error(error: type[InputDataError]) -> None:
    with pytest.raises(error, match=r"liste\.csv: the file contains NUL bytes.*How to fix"):
        decode_table_bytes(b"PK\x03\x04\x00\x00binary", path="liste.csv", error=error)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_census_reads_re_encoded_real_files(tmp_path: Path, data_root: Path, encoding: str) -> None:
    src = data_root / "lauf" / "zensus2011_100m_alter.csv"
    copy = tmp_path / src.name
    copy.write_bytes(src.read_text(encoding="utf-8").encode(encoding))
    want, _ = read_census([src])
    got, _ = read_census([copy])
    pd.testing.assert_frame_equal(got, want)
    assert got["pop_total"].sum() == pd.read_csv(src, sep=";")["Einwohner"].sum()


def test_census_file_that_is_binary_is_a_census_error(tmp_path: Path) -> None:
    bad = tmp_path / "zensus.csv"
    bad.write_bytes(b"GITTER_ID_100m;Einwohner\n\x00\x01\x02")
    with pytest.raises(CensusFormatError, match=r"zensus\.csv: the file contains NUL bytes"):
        read_census([bad])


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("Gitter_ID_100m;x_mp_100m;y_mp_100m;Einwohner", ";"),
        ("name,lon,lat", ","),
        ("Name\tStraße\tPlätze", "\t"),
        ("Name|Straße", "|"),
        ("Name;Straße, Hausnummer;Plätze", ";"),  # one comma inside a column name
        ("a,b;c", ";"),  # a tie goes to the German delimiter
        ("Einwohner", ","),  # a single column
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


_FIELD = st.text(
    alphabet=st.characters(blacklist_characters=';,\t|"\r\n', blacklist_categories=("Cs",)),
    min_size=1,
)


@given(st.sampled_from(DELIMITERS), st.lists(_FIELD, min_size=2, max_size=12))
def test_sniff_delimiter_finds_what_the_csv_writer_used(delimiter: str, header: list) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerow(header)
    line = buffer.getvalue().removesuffix("\r\n")
    assert sniff_delimiter(line) == delimiter
    assert next(csv.reader([line], delimiter=delimiter)) == header
