"""Decoding text tables of unknown encoding and delimiter (census grids, offer lists).

German municipal and census exports come as UTF-8 (with or without BOM), UTF-16 (with
or without BOM), cp1252 or Latin-1, and sometimes as concatenations whose lines mix UTF-8
and cp1252. :func:`decode_table_bytes` is the one decoder for all of them, and
:func:`sniff_delimiter` the one delimiter guess.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import InputDataError

#: Delimiters German exports use, in order of preference on a tie.
DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")
#: Tried in this order after UTF-16 (BOM) and mixed lines.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _bomless_utf16(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when the bytes look like UTF-16 without a BOM.

    Text tables are mostly ASCII, so in UTF-16 every second byte is NUL: at odd
    positions for little endian, at even ones for big endian.
    """
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nul = head[0 : 2 * pairs : 2].count(0) / pairs
    odd_nul = head[1 : 2 * pairs : 2].count(0) / pairs
    if odd_nul > 0.9 and even_nul < 0.1:
        return "utf-16-le"
    if even_nul > 0.9 and odd_nul < 0.1:
        return "utf-16-be"
    return None


def decode_table_bytes(
    data: bytes, *, path: str | Path, error: type[InputDataError] = InputDataError
) -> tuple[str, str]:
    """The text of a table file and the encoding that decoded it.

    Parameters
    ----------
    data : bytes
        The whole file.
    path : str or Path
        Named in the error.
    error : type of InputDataError
        Raised for binary content (NUL bytes outside UTF-16).

    Returns
    -------
    text : str
        Without a BOM.
    encoding : str
        ``"utf-16"``, ``"utf-16-le"``/``"utf-16-be"`` (no BOM), ``"utf-8-sig"``,
        ``"mixed utf-8/cp1252"``, ``"cp1252"`` or
        ``"latin-1"`` (the last never fails: every byte is a character).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    utf16 = _bomless_utf16(data[:4096])
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: refused as binary below
    if b"\x00" in data[:4096]:
        raise error(
            "the file contains NUL bytes; it is not a text table.",
            path=path,
            hint="Save it as CSV (UTF-8) or XLSX.",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    if any(_is_utf8(line) and not line.isascii() for line in lines):
        # Concatenated exports: some lines UTF-8, others cp1252. Decode line by line
        # so no umlaut turns into mojibake.
        text = "".join(
            line.decode("utf-8") if _is_utf8(line) else line.decode("cp1252", errors="replace")
            for line in lines
        )
        return text.removeprefix("\ufeff"), "mixed utf-8/cp1252"
    for enc in ENCODINGS[1:]:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise error("unknown text encoding.", path=path, hint="Save as UTF-8.")  # pragma: no cover


def sniff_delimiter(header_line: str, *, default: str = ",") -> str:
    """The delimiter of a table from its header line: the most frequent of :data:`DELIMITERS`.

    Counting on the header alone, not ``csv.Sniffer``: the sniffer wants several
    consistent rows and guesses wrong (or fails) on a header of quoted German column
    names with spaces, and a header never holds a decimal comma.

    Parameters
    ----------
    header_line : str
        The first line of the table.
    default : str
        Returned when the line holds none of the delimiters (a single column).

    Returns
    -------
    str
        ``";"`` wins a tie with ``","`` (German exports use ``;`` because ``,`` is the
        decimal separator).
    """
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else default
