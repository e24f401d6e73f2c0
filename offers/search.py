"""Search, ranking and counsellor matching on an offer table (pure; no UI).

- :func:`search_offers` filters; free text is tolerant of umlauts ("Muehlenberg",
  "Muhlenberg" find "Mühlenberg") and typos (rapidfuzz, word by word).
- :func:`rank_by_travel` sorts by travel time that the caller computed with
  :mod:`geo.access` and adds ``minutes`` and the straight-line ``distance_m``
  (EPSG:25832) from the origin.
- :func:`match_profile` scores offers for a person and explains the score in German
  and English ("14 min mit dem Rad, freie Plätze, Arabisch").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rapidfuzz import fuzz, process

from geo.settings import CRS_MEASURE, CRS_STORE
from geo.textfold import fold_text
from offers.hours import open_status, state_code
from offers.taxonomy import CATEGORIES, GROUPS

TEXT_MIN_SCORE = 75.0

#: ISO 639-1 codes -> (German, English) names for reasons and filters.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "de": ("Deutsch", "German"),
    "en": ("Englisch", "English"),
    "ar": ("Arabisch", "Arabic"),
    "tr": ("Türkisch", "Turkish"),
    "ru": ("Russisch", "Russian"),
    "uk": ("Ukrainisch", "Ukrainian"),
    "pl": ("Polnisch", "Polish"),
    "fr": ("Französisch", "French"),
    "es": ("Spanisch", "Spanish"),
    "it": ("Italienisch", "Italian"),
    "da": ("Dänisch", "Danish"),
    "fa": ("Persisch", "Persian"),
    "ku": ("Kurdisch", "Kurdish"),
    "ro": ("Rumänisch", "Romanian"),
    "sq": ("Albanisch", "Albanian"),
    "ti": ("Tigrinya", "Tigrinya"),
    "ps": ("Paschtu", "Pashto"),
}
_MODE_WORDS: dict[str, tuple[str, str]] = {
    "walk": ("zu Fuß", "on foot"),
    "bike": ("mit dem Rad", "by bike"),
    "drive": ("mit dem Auto", "by car"),
}


def _language_key(value: str) -> str:
    low = fold_text(value)
    for code, (de, en) in LANGUAGE_NAMES.items():
        if low in (code, fold_text(de), fold_text(en)):
            return code
    return low


def text_score(query: str, haystack: str) -> float:
    """0–100: how well every word of ``query`` is found in ``haystack``.

    Each query word scores 100 when it starts a haystack word, else its best
    ``fuzz.ratio`` against the haystack words; the result is the mean over words.
    """
    q_words = fold_text(query).split()
    h_words = fold_text(haystack).split()
    if not q_words:
        return 100.0
    if not h_words:
        return 0.0
    total = 0.0
    for qw in q_words:
        best = 0.0
        for hw in h_words:
            if hw.startswith(qw) or (len(qw) >= 4 and qw in hw):
                best = 100.0
                break
            best = max(best, fuzz.ratio(qw, hw))
        total += best
    return total / len(q_words)


def text_scores(query: str, haystacks: list[str]) -> np.ndarray:
    """:func:`text_score` for many haystacks at once (each distinct word scored once)."""
    q_words = fold_text(query).split()
    if not q_words:
        return np.full(len(haystacks), 100.0)
    docs = [fold_text(h).split() for h in haystacks]
    vocab = sorted({w for d in docs for w in d})
    if not vocab:
        return np.zeros(len(haystacks))
    position = {w: i for i, w in enumerate(vocab)}
    rows = []
    for qw in q_words:
        ratio = process.cdist([qw], vocab, scorer=fuzz.ratio)[0].astype("float64")
        contains = np.fromiter(
            (w.startswith(qw) or (len(qw) >= 4 and qw in w) for w in vocab),
            dtype=bool,
            count=len(vocab),
        )
        rows.append(np.where(contains, 100.0, ratio))
    per_word = np.vstack(rows)  # query words x vocabulary
    # Best vocabulary score per (query word, document) with one reduceat over all words.
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    flat = np.fromiter((position[w] for d in docs for w in d), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    out = np.zeros(len(docs))
    filled = lengths > 0
    best = np.maximum.reduceat(per_word[:, flat], starts[filled], axis=1)
    out[filled] = best.mean(axis=0)
    return out


def _listish(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return [v.strip() for v in value.split(";") if v.strip()]
    return []


def _floats(values: pd.Series, *, missing: float) -> np.ndarray:
    out = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    return out.to_numpy(dtype="float64", na_value=missing)


def search_offers(
    offers: gpd.GeoDataFrame,
    *,
    categories: Iterable[str] | None = None,
    age: int | None = None,
    topics: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    provider_types: Iterable[str] | None = None,
    wheelchair: bool | str | None = None,
    open_at: dt.datetime | None = None,
    state: str | None = None,
    text: str | None = None,
    text_min_score: float = TEXT_MIN_SCORE,
) -> gpd.GeoDataFrame:
    """Filter an offer table; every argument left ``None`` does not filter.

    Parameters
    ----------
    offers : GeoDataFrame
        Offer table (EPSG:4326, index ``offer_id``).
    categories : iterable of str
        Category keys or group keys (:data:`offers.taxonomy.GROUPS`).
    age : int
        Age in years that must lie in ``[age_min, age_max]`` (missing bounds are open).
    topics, languages : iterable of str
        At least one must match (case and umlauts ignored; languages by ISO code or
        German/English name).
    provider_types : iterable of str
        ``public``, ``church``, ``free``, ``private``.
    wheelchair : bool or str
        ``True``: ``yes`` or ``limited``; ``"yes"``: only ``yes``; ``False``: no filter.
    open_at : datetime
        Time at which the offer must be open (naive: German wall-clock time; aware:
        converted to Europe/Berlin). Offers known to be closed then are left out;
        offers whose hours are missing or not understood are kept and flagged in an
        ``open_status`` column (``"open"`` or ``"unknown"``), so a page can say so
        instead of hiding them.
    state : str, optional
        The region's German state (manifest name or code) for the public holidays of
        ``PH`` rules; None: nationwide holidays only.
    text : str
        Free text over name, category, subtype, provider, topics, address.

    Returns
    -------
    GeoDataFrame
        The matching rows (index kept). With ``open_at`` an ``open_status`` column is
        added; with ``text`` a ``text_score`` column (0–100), and rows are sorted by
        it, best first.
    """
    mask = pd.Series(True, index=offers.index)
    if categories is not None:
        keys: set[str] = set()
        for c in categories:
            if c in GROUPS:
                keys.update(k for k, cat in CATEGORIES.items() if cat.group == c)
            else:
                keys.add(c)
        mask &= offers["category"].isin(keys)
    if age is not None:
        lo = _floats(offers["age_min"], missing=0.0)
        hi = _floats(offers["age_max"], missing=math.inf)
        mask &= (lo <= age) & (age <= hi)
    for column, wanted, key in (
        ("topics", topics, fold_text),
        ("languages", languages, _language_key),
    ):
        if wanted is None:
            continue
        want = {key(w) for w in wanted if str(w).strip()}
        if want:
            mask &= offers[column].map(
                lambda v, want=want, key=key: bool({key(x) for x in _listish(v)} & want)
            )
    if provider_types is not None:
        mask &= offers["provider_type"].isin(set(provider_types))
    if wheelchair is True:
        mask &= offers["wheelchair"].isin(["yes", "limited"])
    elif isinstance(wheelchair, str) and wheelchair:
        mask &= offers["wheelchair"] == wheelchair
    status = None
    if open_at is not None:
        state_code(state)  # an unknown state fails here, not silently per offer
        status = offers["opening_hours"].map(lambda h: open_status(h, open_at, state=state))
        mask &= status != "closed"
    result = offers.loc[mask.to_numpy()].copy()
    if status is not None:
        result["open_status"] = status.loc[mask].astype(object).to_numpy()
    if text is not None and text.strip():
        labels = {k: c.label_de for k, c in CATEGORIES.items()}
        hay = [
            " ".join(
                (
                    str(n),
                    labels.get(c, ""),
                    str(st),
                    str(p),
                    " ".join(_listish(t)),
                    str(street),
                    str(city),
                )
            )
            for n, c, st, p, t, street, city in zip(
                result["name"].tolist(),
                result["category"].tolist(),
                result["subtype"].tolist(),
                result["provider"].tolist(),
                result["topics"].tolist(),
                result["street"].tolist(),
                result["city"].tolist(),
                strict=True,
            )
        ]
        result["text_score"] = text_scores(text, hay)
        result = result[result["text_score"] >= text_min_score]
        result = result.sort_values("text_score", ascending=False, kind="stable")
    return result


def rank_by_travel(
    offers: gpd.GeoDataFrame,
    seconds_by_offer: Mapping[str, float] | pd.Series,
    *,
    origin: tuple[float, float] | None = None,
    max_minutes: float | None = None,
) -> gpd.GeoDataFrame:
    """Offers sorted by travel time, with ``seconds``, ``minutes`` and ``distance_m``.

    Parameters
    ----------
    offers : GeoDataFrame
        Offer table (EPSG:4326).
    seconds_by_offer : mapping or Series
        Travel seconds per offer_id, computed by the caller with :mod:`geo.access`;
        missing or non-finite = not reachable.
    origin : (lon, lat), optional
        EPSG:4326 start point for the straight-line ``distance_m`` (measured in
        EPSG:25832); ``NaN`` without an origin.
    max_minutes : float, optional
        Drop offers slower than this (unreachable ones are dropped too then).

    Returns
    -------
    GeoDataFrame
        Index kept; reachable offers first, by ``seconds``; unreachable at the end
        with ``NaN`` minutes (unless ``max_minutes`` is given).
    """
    seconds = pd.Series(seconds_by_offer, dtype="float64").reindex(offers.index).to_numpy()
    seconds = np.where(np.isfinite(seconds), seconds, np.nan)
    minutes = np.round(seconds / 60.0, 1)
    keep = np.ones(len(offers), dtype=bool) if max_minutes is None else minutes <= max_minutes
    # only the kept rows are copied and measured (a region has thousands of offers)
    out = offers[keep].copy()
    out["seconds"] = seconds[keep]
    out["minutes"] = minutes[keep]
    if origin is not None and len(out):
        ox, oy = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True).transform(*origin)
        # from the table's own CRS, as GeoSeries.to_crs did (None: the store CRS)
        to_m = Transformer.from_crs(out.crs or CRS_STORE, CRS_MEASURE, always_xy=True)
        pts = shapely.point_on_surface(out.geometry.to_numpy())
        # None and empty geometries get a NaN distance (GEOS has no x of an empty point)
        pts[shapely.is_empty(pts)] = None
        px, py = to_m.transform(shapely.get_x(pts), shapely.get_y(pts))
        out["distance_m"] = np.round(np.hypot(np.asarray(px) - ox, np.asarray(py) - oy), 0)
    else:
        out["distance_m"] = np.nan
    return out.sort_values(["seconds", "distance_m"], na_position="last", kind="stable")


def match_profile(
    offers: gpd.GeoDataFrame,
    *,
    age: int,
    topics: Iterable[str] = (),
    languages: Iterable[str] = (),
    wheelchair: bool = False,
    seconds_by_offer: Mapping[str, float] | pd.Series,
    budget_min: float,
    mode: str = "walk",
) -> pd.DataFrame:
    """Score offers for one person; the reasons explain each score.

    Offers are left out when the age does not fit, when they are not reachable within
    ``budget_min`` minutes, or when a wheelchair is needed and the offer says ``no``.

    Score (0–100): 40 × (1 − minutes/budget) + 20 free places (or 10 when unknown)
    + 20 × share of wanted topics offered + 15 language spoken + 5 wheelchair ``yes``.

    Returns
    -------
    DataFrame
        Index ``offer_id``; columns ``name``, ``category``, ``minutes``, ``score``,
        ``reasons_de``, ``reasons_en``; best first.
    """
    want_topics = {fold_text(t) for t in topics if str(t).strip()}
    want_langs = {_language_key(v) for v in languages if str(v).strip()}
    pool = search_offers(offers, age=age)
    seconds = pd.Series(seconds_by_offer, dtype="float64").reindex(pool.index)
    mode_de, mode_en = _MODE_WORDS.get(mode, (mode, mode))
    rows = []
    for oid, rec in zip(pool.index, pool.to_dict("records"), strict=True):
        sec = seconds.loc[oid]
        if not np.isfinite(sec) or sec / 60.0 > budget_min:
            continue
        if wheelchair and rec["wheelchair"] == "no":
            continue
        minutes = sec / 60.0
        score = 40.0 * (1.0 - minutes / budget_min) if budget_min > 0 else 0.0
        de = [f"{round(minutes):d} min {mode_de}"]
        en = [f"{round(minutes):d} min {mode_en}"]
        free = rec["free_places"]
        if free is not None and free is not pd.NA and not pd.isna(free):
            if int(free) > 0:
                score += 20
                de.append("freie Plätze")
                en.append("free places")
            else:
                de.append("keine freien Plätze")
                en.append("no free places")
        else:
            score += 10
        offered = {fold_text(t) for t in _listish(rec["topics"])}
        if want_topics:
            hit = want_topics & offered
            score += 20.0 * len(hit) / len(want_topics)
            if hit:
                names = ", ".join(sorted(t for t in _listish(rec["topics"]) if fold_text(t) in hit))
                de.append(names)
                en.append(names)
        spoken = {_language_key(v) for v in _listish(rec["languages"])}
        for code in sorted(want_langs & spoken):
            score += 15.0 / len(want_langs)
            de_name, en_name = LANGUAGE_NAMES.get(code, (code, code))
            de.append(de_name)
            en.append(en_name)
        if wheelchair:
            status = rec["wheelchair"]
            if status == "yes":
                score += 5
                de.append("rollstuhlgerecht")
                en.append("wheelchair accessible")
            elif status == "limited":
                de.append("teilweise rollstuhlgerecht")
                en.append("partly wheelchair accessible")
            else:
                de.append("Barrierefreiheit unbekannt")
                en.append("accessibility unknown")
        rows.append(
            {
                "offer_id": oid,
                "name": rec["name"],
                "category": rec["category"],
                "minutes": round(minutes, 1),
                "score": round(score, 1),
                "reasons_de": ", ".join(de),
                "reasons_en": ", ".join(en),
            }
        )
    cols = ["name", "category", "minutes", "score", "reasons_de", "reasons_en"]
    if not rows:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="offer_id"))
    frame = pd.DataFrame(rows).set_index("offer_id")[cols]
    return frame.sort_values(["score", "minutes"], ascending=[False, True], kind="stable")
