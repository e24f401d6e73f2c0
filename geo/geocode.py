"""The offline geocoder: house numbers, street names and POI names of one region.

:func:`build_address_index` collects the searchable entries (``kind`` address, street
or poi) into one table; :class:`Geocoder` resolves free text such as
``"Marktplatz 1, 91207 Lauf"`` against it, tolerant of case, ``ß``/``ss``, umlauts
(``ä``/``ae``/``a``), ``Str.``/``Straße``/``Strasse``, spacing, hyphens and typos.

CRS: ``lon``/``lat`` are EPSG:4326; street geometry is taken from the networks in
EPSG:25832.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rapidfuzz import fuzz, process
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geo.errors import GeocodeError
from geo.network import Network
from geo.settings import CRS_MEASURE, CRS_STORE

#: Columns of the address index.
INDEX_COLUMNS: tuple[str, ...] = (
    "kind", "label", "street", "housenumber", "postcode", "city", "name", "lon", "lat",
)  # fmt: skip
_TEXT_COLUMNS = INDEX_COLUMNS[:7]

#: An entry this far from every address of the query's PLZ/town is "elsewhere".
PLACE_FAR_M = 2_000.0
#: Segments of one name closer than this belong to the same street.
STREET_GAP_M = 250.0
_POI_KIND_TAGS = ("amenity", "leisure", "shop", "tourism", "office", "healthcare", "building")


# ---------------------------------------------------------------------------- text


def normalize(text: str) -> str:
    """Fold text for matching: lower case, ``ß``->``ss``, umlauts and ``ae``/``oe``/``ue``
    to plain vowels, ``str.``->``strasse``, punctuation to spaces, single spaces.
    """
    s = str(text).lower().replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"str\b\.?", "strasse", s)
    s = re.sub(r"\bpl\b\.?", "platz", s)
    s = s.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


def _compact(text: str) -> str:
    """:func:`normalize` without spaces, so ``Haupt-Str.`` matches ``Hauptstraße``."""
    return normalize(text).replace(" ", "")


def _fold_column(col: pd.Series, fold: Callable[[str], str]) -> np.ndarray:
    """``fold`` applied once per distinct value (an index repeats streets and towns)."""
    values = col.to_numpy(dtype=object)
    uniq, inverse = np.unique(values.astype(str), return_inverse=True)
    return np.array([fold(u) for u in uniq], dtype=object)[inverse]


def _housenumber_key(text: str) -> str:
    return re.sub(r"\s+", "", str(text).lower())


_NUMBER = re.compile(r"^\d+[a-z]?(?:[-/]\d+[a-z]?)?$")  # 12, 12a, 12-14, 3/1


@dataclass(frozen=True)
class _Query:
    street: str  # normalized, with spaces
    housenumber: str  # "" when none
    postcode: str
    city: str  # normalized
    head: str = ""  # normalized text before the first comma, as typed (a name?)


def _parse(query: str) -> _Query:
    text = query.strip()
    postcode = ""
    m = re.search(r"(?<!\d)(\d{5})(?!\d)", text)
    if m:
        postcode = m.group(1)
        text = text[: m.start()] + " " + text[m.end() :]
    parts = [p for p in text.split(",") if p.strip()]
    head = parts[0] if parts else ""
    as_typed = normalize(head)
    city = " ".join(parts[1:])
    # "Hauptstr.12" -> "Hauptstr. 12"
    head = re.sub(r"(?<=[^\W\d])\.?(?=\d)", lambda mm: mm.group(0) + " ", head)
    tokens = head.lower().split()
    number = ""
    for i, tok in enumerate(tokens):
        if i == 0:
            continue
        if _NUMBER.match(tok):
            number = tok
            rest = tokens[i + 1 :]
            if rest and re.fullmatch(r"[a-z]", rest[0]):  # "12 a"
                number += rest[0]
                rest = rest[1:]
            tokens, extra = tokens[:i], rest
            city = " ".join([*extra, city])
            break
    return _Query(normalize(" ".join(tokens)), number, postcode, normalize(city), as_typed)


# ---------------------------------------------------------------------------- index


def build_address_index(
    *,
    addresses: pd.DataFrame | None,
    networks: Mapping[str, Network],
    pois: gpd.GeoDataFrame | None,
) -> pd.DataFrame:
    """The searchable entries of a region.

    Parameters
    ----------
    addresses : DataFrame or None
        From :func:`geo.addresses.read_osm_addresses` (``street``, ``housenumber``,
        ``postcode``, ``city``, ``lon``, ``lat`` in EPSG:4326).
    networks : mapping of str to Network
        Street networks (EPSG:25832); their named segments give the street entries.
    pois : GeoDataFrame or None
        POIs (EPSG:4326) with ``name`` and optionally ``tags`` (dict of OSM tags); POIs
        with ``addr:street``/``addr:housenumber`` tags also add address entries.

    Returns
    -------
    DataFrame
        Columns :data:`INDEX_COLUMNS`: ``kind`` (address/street/poi), ``label``,
        ``street``, ``housenumber``, ``postcode``, ``city``, ``name`` (str, "" if none)
        and ``lon``, ``lat`` (EPSG:4326). A street's point lies on the street: the
        middle of its longest segment (one entry per separate stretch of a name).
    """
    addr = _address_rows(addresses)
    poi_rows, poi_addr = _poi_rows(pois)
    if len(poi_addr):
        addr = _dedupe_addresses(pd.concat([addr, poi_addr], ignore_index=True))
    streets = _street_rows(networks, addr)
    frames = [f for f in (addr, streets, poi_rows) if len(f)]
    if not frames:
        return _empty_index()
    out = pd.concat(frames, ignore_index=True)
    for c in _TEXT_COLUMNS:
        out[c] = out[c].fillna("").astype(str)
    out["lon"] = out["lon"].astype(float)
    out["lat"] = out["lat"].astype(float)
    return out[list(INDEX_COLUMNS)].reset_index(drop=True)


def _empty_index() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in ("lon", "lat") else object) for c in INDEX_COLUMNS}
    )


def _address_label(street: str, number: str, postcode: str, city: str) -> str:
    place = " ".join(p for p in (postcode, city) if p)
    head = f"{street} {number}".strip()
    return f"{head}, {place}" if place else head


def _address_rows(addresses: pd.DataFrame | None) -> pd.DataFrame:
    if addresses is None or len(addresses) == 0:
        return _empty_index()
    a = addresses.copy()
    for c in ("street", "housenumber", "postcode", "city"):
        a[c] = a[c].fillna("").astype(str).str.strip() if c in a else ""
    a = a[(a["street"] != "") & (a["housenumber"] != "") & a["lon"].notna() & a["lat"].notna()]
    labels = [
        _address_label(s, n, p, c)
        for s, n, p, c in zip(a["street"], a["housenumber"], a["postcode"], a["city"], strict=True)
    ]
    return _dedupe_addresses(
        pd.DataFrame(
            {
                "kind": "address",
                "label": labels,
                "street": a["street"].to_numpy(),
                "housenumber": a["housenumber"].to_numpy(),
                "postcode": a["postcode"].to_numpy(),
                "city": a["city"].to_numpy(),
                "name": "",
                "lon": a["lon"].to_numpy(float),
                "lat": a["lat"].to_numpy(float),
            }
        )
    )


def _dedupe_addresses(a: pd.DataFrame) -> pd.DataFrame:
    """First of each street/number/postcode: entrances and buildings often repeat one."""
    key = a["street"].map(_compact) + "|" + a["housenumber"].map(_housenumber_key)
    return a[~(key + "|" + a["postcode"]).duplicated()].reset_index(drop=True)


def _poi_rows(pois: gpd.GeoDataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if pois is None or len(pois) == 0 or "name" not in pois:
        return _empty_index(), _empty_index()
    p = pois[pois.geometry.notna() & ~pois.geometry.is_empty].copy()
    if p.crs is not None and p.crs != CRS_STORE:
        p = p.to_crs(CRS_STORE)
    pts = p.geometry.representative_point()
    tags_col = p["tags"] if "tags" in p else pd.Series([{}] * len(p), index=p.index)
    rows, addr_rows = [], []
    for name, tags, pt in zip(p["name"], tags_col, pts, strict=True):
        tags = tags if isinstance(tags, dict) else {}
        street = str(tags.get("addr:street") or "").strip()
        number = str(tags.get("addr:housenumber") or "").strip()
        postcode = str(tags.get("addr:postcode") or "").strip()
        city = str(tags.get("addr:city") or "").strip()
        if street and number:
            addr_rows.append(
                ("address", _address_label(street, number, postcode, city), street, number,
                 postcode, city, "", pt.x, pt.y)
            )  # fmt: skip
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        what = next((str(tags[k]) for k in _POI_KIND_TAGS if tags.get(k)), "")
        where = _address_label(street, number, postcode, city) if street else ""
        extra = ", ".join(x for x in (what, where) if x and x != "yes")
        label = f"{name} ({extra})" if extra else name
        rows.append(("poi", label, street, number, postcode, city, name, pt.x, pt.y))
    return (
        pd.DataFrame(rows, columns=list(INDEX_COLUMNS)) if rows else _empty_index(),
        pd.DataFrame(addr_rows, columns=list(INDEX_COLUMNS)) if addr_rows else _empty_index(),
    )


def _street_rows(networks: Mapping[str, Network], addr: pd.DataFrame) -> pd.DataFrame:
    names: list[np.ndarray] = []
    geoms: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    for net in networks.values():
        named = np.flatnonzero(np.asarray(net.seg_name, dtype=str) != "")
        if len(named) == 0:
            continue
        names.append(np.asarray(net.seg_name, dtype=str)[named])
        geoms.append(net.segment_geometries[named])
        lengths.append(np.asarray(net.seg_length_m, dtype=float)[named])
    if not names:
        return _address_streets(addr, set())
    name = np.concatenate(names)
    geom = np.concatenate(geoms)
    length = np.concatenate(lengths)
    # the modes share most segments: keep one copy of each
    wkb = shapely.to_wkb(shapely.set_precision(geom, 0.01), hex=True)
    keys = [f"{nm}|{w}" for nm, w in zip(name, wkb, strict=True)]
    _, first = np.unique(np.array(keys, dtype=object), return_index=True)
    first = np.sort(first)
    name, geom, length = name[first], geom[first], length[first]

    # stretches of one name: segments within STREET_GAP_M of each other
    tree = shapely.STRtree(geom)
    a, b = tree.query(geom, predicate="dwithin", distance=STREET_GAP_M)
    same = name[a] == name[b]
    n = len(geom)
    graph = coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)

    frame = pd.DataFrame({"name": name, "comp": comp, "length": length})
    comp_len = frame.groupby("comp")["length"].transform("sum")
    frame["comp_len"] = comp_len
    best = frame.sort_values("length", ascending=False).drop_duplicates("comp")
    best = best.sort_values(["name", "comp_len"], ascending=[True, False])
    mid = shapely.line_interpolate_point(geom[best.index.to_numpy()], 0.5, normalized=True)
    mx, my = shapely.get_x(mid), shapely.get_y(mid)
    to_store = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)
    lon, lat = to_store.transform(mx, my)

    postcode, city = _nearest_place(best["name"].to_numpy(), mx, my, addr)
    labels = []
    counter: dict[str, int] = {}
    for nm, pc, ct in zip(best["name"], postcode, city, strict=True):
        base = _address_label(nm, "", pc, ct)
        counter[base] = counter.get(base, 0) + 1
        # several separate stretches of one name and place: number them
        labels.append(base if counter[base] == 1 else f"{base} (Abschnitt {counter[base]})")
    streets = pd.DataFrame(
        {
            "kind": "street",
            "label": labels,
            "street": best["name"].to_numpy(),
            "housenumber": "",
            "postcode": postcode,
            "city": city,
            "name": "",
            "lon": np.asarray(lon, float),
            "lat": np.asarray(lat, float),
        }
    )
    known = {_compact(s) for s in best["name"]}
    extra = _address_streets(addr, known)
    return pd.concat([streets, extra], ignore_index=True) if len(extra) else streets


def _nearest_place(
    names: np.ndarray, mx: np.ndarray, my: np.ndarray, addr: pd.DataFrame
) -> tuple[list[str], list[str]]:
    """Postcode and city of the nearest address on the same street, if any."""
    postcode = [""] * len(names)
    city = [""] * len(names)
    if len(addr) == 0:
        return postcode, city
    to_measure = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    ax, ay = to_measure.transform(addr["lon"].to_numpy(float), addr["lat"].to_numpy(float))
    by_street: dict[str, np.ndarray] = {}
    for key, idx in pd.Series(np.arange(len(addr))).groupby(
        addr["street"].map(_compact).to_numpy()
    ):
        by_street[str(key)] = idx.to_numpy()
    for i, nm in enumerate(names):
        idx = by_street.get(_compact(nm))
        if idx is None:
            continue
        d = np.hypot(ax[idx] - mx[i], ay[idx] - my[i])
        j = idx[int(np.argmin(d))]
        if d.min() < 1000:
            postcode[i] = str(addr["postcode"].iloc[j])
            city[i] = str(addr["city"].iloc[j])
    return postcode, city


def _address_streets(addr: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """Streets known only from address tags: placed at their most central house."""
    if len(addr) == 0:
        return _empty_index()
    rows = []
    for key, grp in addr.groupby(addr["street"].map(_compact), sort=True):
        if key in known:
            continue
        lon0, lat0 = grp["lon"].mean(), grp["lat"].mean()
        j = int(np.argmin(np.hypot(grp["lon"] - lon0, grp["lat"] - lat0)))
        r = grp.iloc[j]
        rows.append(
            ("street", _address_label(r["street"], "", r["postcode"], r["city"]), r["street"], "",
             r["postcode"], r["city"], "", r["lon"], r["lat"])
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(INDEX_COLUMNS)) if rows else _empty_index()


# ---------------------------------------------------------------------------- geocoder


@dataclass(frozen=True)
class GeocodeResult:
    """One resolved place (EPSG:4326).

    ``kind`` is ``address``, ``street`` or ``poi``; ``exact`` is False when a house
    number was asked for but only the street was found. ``note_code`` says why a
    result is not exact (``"housenumber_not_found"``, with the number asked for in
    ``note_value``; ``""`` when exact) for the UI to put into words; ``label`` is the
    index entry's own label. ``score`` is 0–100.
    """

    lon: float
    lat: float
    label: str
    kind: str
    score: float
    street: str = ""
    housenumber: str = ""
    postcode: str = ""
    city: str = ""
    name: str = ""
    exact: bool = True
    note_code: str = ""
    note_value: str = ""


class Geocoder:
    """Resolve free-text addresses against an index from :func:`build_address_index`.

    Parameters
    ----------
    index : DataFrame
        Columns :data:`INDEX_COLUMNS` (``lon``/``lat`` in EPSG:4326).
    min_score : float
        Matches scoring below this (0–100) raise :class:`geo.errors.GeocodeError`.
    """

    def __init__(self, index: pd.DataFrame, *, min_score: float = 80.0) -> None:
        df = index.reset_index(drop=True).copy()
        for c in _TEXT_COLUMNS:
            df[c] = df[c].fillna("").astype(str) if c in df else ""
        self._df = df
        self.min_score = float(min_score)
        kind = df["kind"].to_numpy()
        street_key = _fold_column(df["street"], _compact)
        self._hn = _fold_column(df["housenumber"], _housenumber_key)
        self._city = _fold_column(df["city"], normalize)
        self._postcode = df["postcode"].to_numpy()
        # rough metres (equirectangular) are plenty for "is it in that town at all"
        lon = df["lon"].to_numpy(float)
        lat = df["lat"].to_numpy(float)
        lat0 = float(np.nanmean(lat)) if len(lat) else 0.0
        self._xy = np.column_stack([lon * 111_320.0 * np.cos(np.radians(lat0)), lat * 110_540.0])
        self._postcode_xy = {
            str(k): self._xy[v]
            for k, v in pd.Series(self._postcode).groupby(self._postcode).indices.items()
            if k
        }
        self._city_xy = {
            str(k): self._xy[v]
            for k, v in pd.Series(self._city).groupby(self._city).indices.items()
            if k
        }
        # streets: compact key -> index rows of the street entries and of the addresses
        self._street_keys: list[str] = sorted({k for k in street_key if k})
        self._street_rows: dict[str, np.ndarray] = {}
        self._addr_rows: dict[str, np.ndarray] = {}
        rows = np.arange(len(df))
        empty = np.array([], dtype=np.int64)
        for target, wanted in ((self._street_rows, "street"), (self._addr_rows, "address")):
            sel = (kind == wanted) & (street_key != "")
            groups = pd.Series(rows[sel]).groupby(street_key[sel]).indices
            sub = rows[sel]
            for key in self._street_keys:
                pos = groups.get(key)
                target[key] = empty if pos is None else sub[pos]
        poi = rows[kind == "poi"]
        self._poi_keys = _fold_column(df["name"], _compact)[poi]
        self._poi_rows = poi
        # typing suggestions search street names and POI names together
        self._search_keys = np.array([*self._street_keys, *self._poi_keys], dtype=object)
        self._search_is_street = np.array(
            [True] * len(self._street_keys) + [False] * len(poi), dtype=bool
        )
        self._search_pos = np.array([*range(len(self._street_keys)), *poi.tolist()], dtype=np.int64)
        # sorted keys: prefix matches are one bisect away
        self._prefix_order = np.argsort(self._search_keys.astype(str), kind="stable")
        self._prefix_keys = [str(k) for k in self._search_keys[self._prefix_order]]
        # plain lists: row access must not go through pandas while the user types
        self._cols: dict[str, list[Any]] = {c: df[c].astype(str).tolist() for c in _TEXT_COLUMNS}
        self._cols["lon"] = df["lon"].astype(float).tolist()
        self._cols["lat"] = df["lat"].astype(float).tolist()

    def __len__(self) -> int:
        return len(self._df)

    # -- helpers -----------------------------------------------------------------

    def _result(
        self,
        row: int,
        score: float,
        *,
        exact: bool = True,
        note_code: str = "",
        note_value: str = "",
    ) -> GeocodeResult:
        c = self._cols
        return GeocodeResult(
            lon=float(c["lon"][row]),
            lat=float(c["lat"][row]),
            label=c["label"][row],
            kind=c["kind"][row],
            score=round(float(score), 1),
            street=c["street"][row],
            housenumber=c["housenumber"][row],
            postcode=c["postcode"][row],
            city=c["city"][row],
            name=c["name"][row],
            exact=exact,
            note_code=note_code,
            note_value=note_value,
        )

    def _place_penalty(self, row: int, q: _Query) -> float:
        """Score points lost because the entry lies elsewhere than the query's PLZ/town.

        An entry without PLZ/town (a street from the network) is judged by its distance
        to the index's addresses of that PLZ/town: farther than
        :data:`PLACE_FAR_M` costs enough to fall below the default ``min_score``.
        """
        penalty = 0.0
        if q.postcode and self._postcode[row] != q.postcode:
            pts = self._postcode_xy.get(q.postcode)
            if pts is not None and self._far(row, pts):
                penalty += 25.0
            elif self._postcode[row]:
                penalty += 10.0
        row_city = self._city[row]
        if q.city and not (row_city and fuzz.partial_ratio(q.city, row_city) >= 70):
            pts = self._city_points(q.city)
            if pts is not None and self._far(row, pts):
                penalty += 25.0
            elif row_city:
                penalty += 10.0
        return penalty

    def _far(self, row: int, pts: np.ndarray) -> bool:
        d2 = (pts[:, 0] - self._xy[row, 0]) ** 2 + (pts[:, 1] - self._xy[row, 1]) ** 2
        return bool(d2.min() > PLACE_FAR_M**2)

    def _city_points(self, city: str) -> np.ndarray | None:
        if not self._city_xy:
            return None
        found = process.extract(
            city, list(self._city_xy), scorer=fuzz.partial_ratio, limit=3, score_cutoff=85
        )
        if not found:
            return None
        return np.concatenate([self._city_xy[m[0]] for m in found])

    def _match_streets(self, key: str, *, limit: int, cutoff: float) -> list[tuple[str, float]]:
        if not key or not self._street_keys:
            return []
        found = process.extract(
            key, self._street_keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff
        )
        return [(m[0], float(m[1])) for m in found]

    def _best_street_row(self, key: str, q: _Query) -> int | None:
        rows = self._street_rows.get(key)
        if rows is None or len(rows) == 0:
            return None
        return int(min(rows, key=lambda r: self._place_penalty(int(r), q)))

    def _candidates(self, q: _Query) -> list[tuple[float, int, bool, str]]:
        """(score, row, exact, housenumber not found) of plausible matches, best first."""
        out: list[tuple[float, int, bool, str]] = []
        key = q.street.replace(" ", "")
        if q.housenumber:
            for skey, s in self._match_streets(key, limit=5, cutoff=60):
                addr = self._addr_rows.get(skey, np.array([], int))
                hit = addr[self._hn[addr] == q.housenumber]
                if not len(hit) and re.search(r"[-/]", q.housenumber):
                    # "12-14" is mapped under its first number as often as under the range
                    hit = addr[self._hn[addr] == re.split(r"[-/]", q.housenumber)[0]]
                for row in hit:
                    out.append((s - self._place_penalty(int(row), q), int(row), True, ""))
                srow = self._best_street_row(skey, q)
                if srow is None and len(addr):
                    srow = int(addr[0])
                if srow is not None and not len(hit):
                    # a bit below an exact house so a close typo with the number wins
                    score = s - 1.0 - self._place_penalty(srow, q)
                    out.append((score, srow, False, q.housenumber))
            # names with numbers ("Straße 1", "Grundschule 2") are streets or POIs too
            out.extend(self._candidates(_Query(q.head, "", q.postcode, q.city)))
        else:
            for skey, s in self._match_streets(key, limit=5, cutoff=60):
                srow = self._best_street_row(skey, q)
                if srow is None:
                    addr = self._addr_rows.get(skey, np.array([], int))
                    if not len(addr):
                        continue
                    srow = int(addr[0])
                out.append((s - self._place_penalty(srow, q), srow, True, ""))
            if len(self._poi_keys) and key:
                found = process.extract(
                    key, self._poi_keys, scorer=fuzz.ratio, limit=5, score_cutoff=60
                )
                for _, s, pos in found:
                    row = int(self._poi_rows[pos])
                    out.append((float(s) - self._place_penalty(row, q), row, True, ""))
        out.sort(key=lambda t: (-t[0], not t[2]))
        return out

    # -- public ------------------------------------------------------------------

    def geocode(self, query: str) -> GeocodeResult:
        """The best match for ``query``.

        Parameters
        ----------
        query : str
            e.g. ``"Marktplatz 1, 91207 Lauf"``, ``"Heinrich-Nordhoff-Str."``, a POI name.

        Returns
        -------
        GeocodeResult
            EPSG:4326 position with label, kind and score. A street with a house number
            that is not in the index resolves to the street with ``exact=False``.

        Raises
        ------
        GeocodeError
            Empty query or nothing scoring at least ``min_score``; the message lists
            the closest entries.
        """
        if not query or not query.strip():
            raise GeocodeError(
                "Bitte eine Adresse eingeben / please enter an address (e.g. 'Marktplatz 1')."
            )
        q = _parse(query)
        if not q.street:
            raise GeocodeError(
                f"Keine Straße oder kein Name in {query!r} / no street or name in the query. "
                "Beispiel / example: 'Marktplatz 1, 91207 Lauf'."
            )
        cands = self._candidates(q)
        if not cands and q.city == "" and len(q.street.split()) > 1:
            # "Marktplatz Lauf": the trailing word may be the town
            words = q.street.split()
            for cut in range(len(words) - 1, 0, -1):
                q2 = _Query(" ".join(words[:cut]), q.housenumber, q.postcode,
                            " ".join(words[cut:]))  # fmt: skip
                cands = self._candidates(q2)
                if cands and cands[0][0] >= self.min_score:
                    q = q2
                    break
        if cands and cands[0][0] >= self.min_score:
            score, row, exact, missing_number = cands[0]
            if exact:
                return self._result(row, score)
            return self._result(
                row,
                score,
                exact=False,
                note_code="housenumber_not_found",
                note_value=missing_number,
            )
        hints = [r.label for r in self.suggest(query, limit=3)]
        if not hints and cands:
            hints = [self._cols["label"][c[1]] for c in cands[:3]]
        hint = (
            " Meinten Sie / did you mean: " + "; ".join(hints) + "?"
            if hints
            else " Prüfen Sie die Schreibweise / check the spelling."
        )
        raise GeocodeError(
            f"Keine passende Adresse für {query!r} im Adressindex / no matching address "
            f"in the offline index.{hint}"
        )

    def suggest(self, query: str, *, limit: int = 8) -> list[GeocodeResult]:
        """Entries that match what has been typed so far, best first.

        Prefixes rank first (``"Markt"`` -> ``Marktplatz``); with a house number the
        addresses of the matching streets whose number starts with it are listed.

        Parameters
        ----------
        query : str
            Partial input.
        limit : int
            At most this many results.

        Returns
        -------
        list of GeocodeResult
            EPSG:4326 positions; empty for an empty query.
        """
        if not query or not query.strip() or limit <= 0:
            return []
        q = _parse(query)
        key = q.street.replace(" ", "")
        if not key:
            return []
        results: list[GeocodeResult] = []
        seen: set[int] = set()

        labels: set[str] = set()

        def add(row: int, score: float) -> None:
            label = self._cols["label"][row]
            if row not in seen and label not in labels and len(results) < limit:
                seen.add(row)
                labels.add(label)  # e.g. seven car parks all named "Krankenhaus"
                results.append(self._result(row, score))

        if q.housenumber:
            streets = [k for k in self._street_keys if k.startswith(key)][:3]
            streets += [k for k, _ in self._match_streets(key, limit=3, cutoff=75)]
            for skey in dict.fromkeys(streets):
                addr = self._addr_rows.get(skey, np.array([], int))
                hit = [int(r) for r in addr if self._hn[r].startswith(q.housenumber)]
                hit.sort(key=lambda r: (len(self._hn[r]), self._hn[r]))
                for r in hit:
                    add(r, 100.0 - self._place_penalty(r, q))
            if not results:
                for skey in dict.fromkeys(streets):
                    r = self._best_street_row(skey, q)
                    if r is not None:
                        add(r, 90.0)
            return results

        keys = self._search_keys
        if not len(keys):
            return []
        lo = bisect.bisect_left(self._prefix_keys, key)
        hi = bisect.bisect_left(self._prefix_keys, key + "\U0010ffff")
        prefix = self._prefix_order[lo:hi]
        # streets, then shorter names first among prefix matches
        prefix = prefix[
            np.lexsort(([len(keys[i]) for i in prefix], ~self._search_is_street[prefix]))
        ]
        for i in prefix:
            for r in self._rows_for_search(int(i), q):
                add(r, 100.0)
            if len(results) >= limit:
                return results
        # compare with the start of each name: the user is still typing
        heads = [k[: len(key)] for k in keys]
        found = process.extract(key, heads, scorer=fuzz.ratio, limit=limit * 2, score_cutoff=75)
        for _, s, i in found:
            for r in self._rows_for_search(int(i), q):
                add(r, float(s))
        return results

    def _rows_for_search(self, i: int, q: _Query) -> list[int]:
        pos = int(self._search_pos[i])
        if not self._search_is_street[i]:
            return [pos]
        skey = self._street_keys[pos]
        rows = self._street_rows.get(skey)
        if rows is None or not len(rows):
            rows = self._addr_rows.get(skey, np.array([], int))[:1]
        return sorted((int(r) for r in rows), key=lambda r: self._place_penalty(r, q))
