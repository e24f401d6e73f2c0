"""One embedded SQLite store of offers per region, with a change history.

The file is ``<work_dir>/offers/<slug>.sqlite`` (``BLK_WORK_DIR``). Every write
(import, seed, edit, delete) is one SQLite transaction, so a crash or ``kill -9`` in
the middle leaves the previous state; the file itself is never rewritten.

Tables: ``offers`` (offer_id, record as JSON, lon/lat EPSG:4326), ``links`` (one row
per source key -> offer_id: how a file row or OSM object maps to an offer, used to
make re-imports idempotent), ``history`` (every change with time, user, source, action,
before/after), ``imports`` (one row per import with its report), ``rejected`` (rejected
rows with the values as read), ``merges`` (duplicate-rule decisions).

Matching on import
------------------
A row's key is ``<source>|id:<id>`` when the file has an id column, else
``<source>|<name>|<street>|<housenumber>|<postcode>`` (normalised); ``source`` is
the file name unless given. A known key updates its offer: an offer the key created
takes the row's values ("own"); an offer the row was merged into only has its gaps
filled and :data:`FILE_WINS` fields replaced ("merged"). An unknown key goes through
the duplicate rule (:mod:`offers.dedup`) and otherwise creates an offer with id
``imp-<hash of key>``.

Report counts: ``imported = new + updated + unchanged`` (every row that is in the
catalogue after the import, merged rows included) and ``imported + len(rejected) =
rows_read``. ``duplicates_merged`` counts rows joined to an existing offer by the
duplicate rule (also counted in ``updated`` or ``unchanged``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.agegroups import groups_for_ages
from geo.errors import OfferNotFoundError, OfferStoreError
from geo.settings import Paths, get_paths
from offers.dedup import GENERIC_CATEGORIES, DuplicateFinder, MergeDecision
from offers.readers import read_table
from offers.rows import Geocoder, parse_rows
from offers.schema import (
    LIST_COLUMNS,
    RECORD_FIELDS,
    frame_to_records,
    normalise_record,
    offer_id,
    records_to_frame,
)
from offers.taxonomy import CATEGORIES

SCHEMA_VERSION = 1
#: Fields where a municipal list beats OSM when both have a value.
FILE_WINS: tuple[str, ...] = ("capacity", "free_places", "opening_hours", "fees")
#: Fields an edit may change (``lon``/``lat`` move the point).
EDITABLE: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f not in ("source", "source_ref"))

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (
    offer_id TEXT PRIMARY KEY, record TEXT NOT NULL, lon REAL, lat REAL);
CREATE TABLE IF NOT EXISTS links (
    ext_key TEXT PRIMARY KEY, offer_id TEXT NOT NULL, source TEXT NOT NULL,
    how TEXT NOT NULL, import_id INTEGER);
CREATE INDEX IF NOT EXISTS links_offer ON links (offer_id);
CREATE TABLE IF NOT EXISTS history (
    change_id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    source TEXT NOT NULL, offer_id TEXT NOT NULL, action TEXT NOT NULL,
    before TEXT, after TEXT, import_id INTEGER);
CREATE INDEX IF NOT EXISTS history_offer ON history (offer_id);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    source TEXT NOT NULL, path TEXT NOT NULL, report TEXT);
CREATE TABLE IF NOT EXISTS rejected (
    import_id INTEGER NOT NULL, row INTEGER NOT NULL, field TEXT NOT NULL,
    reason TEXT NOT NULL, vals TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merges (
    import_id INTEGER NOT NULL, row INTEGER NOT NULL, offer_id TEXT NOT NULL,
    name TEXT, other_name TEXT, distance_m REAL, name_score REAL, merged INTEGER);
"""


@dataclass
class ImportReport:
    """The outcome of one import; :meth:`to_dict` is the ``--report`` JSON."""

    source: str
    path: str
    rows_read: int = 0
    imported: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    duplicates_merged: int = 0
    merge_decisions: list[dict[str, Any]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    import_id: int | None = None
    duplicate_rule: str = (
        "compatible categories (same group; same category, a generic one or Krippe/Kita), "
        "at most 30 m apart (80 m when one is an OSM way/relation; EPSG:25832), name "
        "similarity (rapidfuzz token_set_ratio) >= 80 and equal numbers"
    )
    definition: str = "imported = new + updated + unchanged; imported + rejected = rows_read"

    @property
    def invariant_holds(self) -> bool:
        return self.imported + len(self.rejected) == self.rows_read

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _dumps(record: Mapping[str, Any] | None) -> str | None:
    return None if record is None else json.dumps(record, ensure_ascii=False, sort_keys=True)


def _join_unique(*values: str) -> str:
    out: list[str] = []
    for v in values:
        for part in str(v).split("; "):
            if part and part not in out:
                out.append(part)
    return "; ".join(out)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def merge_records(
    existing: Mapping[str, Any],
    incoming: Mapping[str, Any],
    *,
    replace: bool,
    wins: tuple[str, ...] = FILE_WINS,
) -> dict[str, Any]:
    """Combine two records of the same offer (``updated`` is left to the caller).

    ``replace=True``: the incoming row is a correction of this offer, so its non-empty
    values win (coordinates included). ``replace=False``: the row is another source
    of the offer: it fills gaps, wins for the fields in ``wins`` (default
    :data:`FILE_WINS`), refines a generic
    category ("school, type unknown") within the same group, and the point stays.
    Sources are always united.
    """
    out = dict(existing)
    for key in RECORD_FIELDS:
        if key in ("source", "source_ref", "updated"):
            continue
        new = incoming.get(key)
        if _empty(new):
            continue
        if replace or _empty(out.get(key)) or key in wins:
            out[key] = new
        elif key in LIST_COLUMNS and key != "target_groups":
            out[key] = [*out[key], *(v for v in new if v not in out[key])]
    if not replace and out.get("lon") is not None:
        for key in ("lon", "lat", "location_source", "location_score"):
            out[key] = existing.get(key)
    cat_old, cat_new = existing.get("category"), incoming.get("category")
    if (
        not replace
        and cat_old in GENERIC_CATEGORIES
        and cat_new not in GENERIC_CATEGORIES
        and cat_new in CATEGORIES
        and CATEGORIES[cat_new].group == CATEGORIES[cat_old].group
    ):
        for key in ("category", "subtype", "age_min", "age_max", "target_groups"):
            out[key] = incoming.get(key)
    out["source"] = _join_unique(existing.get("source", ""), incoming.get("source", ""))
    out["source_ref"] = _join_unique(existing.get("source_ref", ""), incoming.get("source_ref", ""))
    return normalise_record(out)


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "updated"} == {
        k: v for k, v in b.items() if k != "updated"
    }


class OfferStore:
    """The offer catalogue of one region.

    Parameters
    ----------
    slug : str
        Region slug; the file is ``paths.work_dir / "offers" / f"{slug}.sqlite"``.
    paths : Paths, optional
        Folders; default :func:`geo.settings.get_paths`. The store refuses to live
        inside the (read-only) data root.
    """

    def __init__(self, slug: str, *, paths: Paths | None = None) -> None:
        self.slug = slug
        self.paths = paths or get_paths()
        self.path = self.paths.work_dir / "offers" / f"{slug}.sqlite"
        if self.path.resolve().is_relative_to(self.paths.data_root):
            raise OfferStoreError(
                f"the offer store {self.path} would be inside the read-only data root "
                f"{self.paths.data_root}; set BLK_WORK_DIR to another folder."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                conn.executescript(_DDL)
                conn.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except (OSError, sqlite3.Error) as exc:
            raise OfferStoreError(f"cannot open the offer store {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, one per write.
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    # -- reading ---------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE``, then ``COMMIT``, or ``ROLLBACK``
        on any error (also KeyboardInterrupt), so a failed change writes nothing."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def records(self) -> dict[str, dict[str, Any]]:
        """All current records, ``{offer_id: record}`` (EPSG:4326 lon/lat)."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT offer_id, record FROM offers ORDER BY offer_id").fetchall()
        return {oid: json.loads(rec) for oid, rec in rows}

    def offers(self) -> gpd.GeoDataFrame:
        """The catalogue as an offer table (EPSG:4326, index ``offer_id``)."""
        return records_to_frame(self.records())

    def meta(self, key: str) -> str | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with closing(self._connect()) as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def history(self, offer_id: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
        """Changes, newest first: ``change_id, ts, user, source, offer_id, action,
        import_id, before, after`` (records as dicts, ``None`` for insert/delete)."""
        sql = "SELECT change_id, ts, user, source, offer_id, action, import_id, before, after "
        sql += "FROM history"
        args: list[Any] = []
        if offer_id is not None:
            sql += " WHERE offer_id = ?"
            args.append(offer_id)
        sql += " ORDER BY change_id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        with closing(self._connect()) as conn:
            rows = conn.execute(sql, args).fetchall()
        cols = ["change_id", "ts", "user", "source", "offer_id", "action", "import_id"]
        frame = pd.DataFrame([r[:7] for r in rows], columns=cols)
        frame["before"] = [None if r[7] is None else json.loads(r[7]) for r in rows]
        frame["after"] = [None if r[8] is None else json.loads(r[8]) for r in rows]
        return frame

    def state_at(self, change_id: int) -> gpd.GeoDataFrame:
        """The catalogue as it was right after change ``change_id`` (0 = empty)."""
        records = self.records()
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT offer_id, before FROM history WHERE change_id > ? ORDER BY change_id DESC",
                (int(change_id),),
            ).fetchall()
        for oid, before in rows:
            if before is None:
                records.pop(oid, None)
            else:
                records[oid] = json.loads(before)
        return records_to_frame(dict(sorted(records.items())))

    def imports(self) -> pd.DataFrame:
        """One row per import: ``import_id, ts, user, source, path, report`` (dict)."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT import_id, ts, user, source, path, report FROM imports ORDER BY import_id"
            ).fetchall()
        frame = pd.DataFrame(
            [r[:5] for r in rows], columns=["import_id", "ts", "user", "source", "path"]
        )
        frame["report"] = [None if r[5] is None else json.loads(r[5]) for r in rows]
        return frame

    def rejected(self, *, import_id: int | None = None) -> pd.DataFrame:
        """Rejected rows of one import, or of the latest import of every source.

        Columns ``import_id, source, row, field, reason, values`` (dict of the row as
        read, with the file's own headers, so it can be corrected and re-imported).
        """
        sql = (
            "SELECT r.import_id, i.source, r.row, r.field, r.reason, r.vals FROM rejected r "
            "JOIN imports i ON i.import_id = r.import_id "
        )
        if import_id is not None:
            sql += "WHERE r.import_id = ? "
            args: tuple[Any, ...] = (int(import_id),)
        else:
            sql += "WHERE r.import_id IN (SELECT MAX(import_id) FROM imports GROUP BY source) "
            args = ()
        sql += "ORDER BY r.import_id, r.row"
        with closing(self._connect()) as conn:
            rows = conn.execute(sql, args).fetchall()
        frame = pd.DataFrame(
            [r[:5] for r in rows], columns=["import_id", "source", "row", "field", "reason"]
        )
        frame["values"] = [json.loads(r[5]) for r in rows]
        return frame

    def merges(self, *, import_id: int | None = None) -> pd.DataFrame:
        """Duplicate-rule decisions (merged or kept apart) with distance and name score."""
        sql = "SELECT import_id, row, offer_id, name, other_name, distance_m, name_score, merged "
        sql += "FROM merges"
        args: tuple[Any, ...] = ()
        if import_id is not None:
            sql += " WHERE import_id = ?"
            args = (int(import_id),)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY import_id, row", args).fetchall()
        cols = ["import_id", "row", "offer_id", "name", "other_name", "distance_m", "name_score"]
        frame = pd.DataFrame([r[:7] for r in rows], columns=cols)
        frame["merged"] = [bool(r[7]) for r in rows]
        return frame

    # -- writing ---------------------------------------------------------------
    def _write(
        self,
        conn: sqlite3.Connection,
        oid: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        user: str,
        source: str,
        action: str,
        import_id: int | None = None,
    ) -> None:
        if after is None:
            conn.execute("DELETE FROM offers WHERE offer_id = ?", (oid,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO offers VALUES (?, ?, ?, ?)",
                (oid, _dumps(after), after.get("lon"), after.get("lat")),
            )
        conn.execute(
            "INSERT INTO history (ts, user, source, offer_id, action, before, after, import_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), user, source, oid, action, _dumps(before), _dumps(after), import_id),
        )

    def seed(
        self, offers: gpd.GeoDataFrame, *, user: str, source: str = "osm", key: str = "seeded"
    ) -> int:
        """Add or refresh offers from a ready offer table (e.g. OSM), in one transaction.

        Each offer is linked by ``<source>|<offer_id>``; known links only get their gaps
        filled (so planners' edits survive), unknown ones insert. Sets the meta
        flag ``key``. Returns the number of changed offers.
        """
        incoming = frame_to_records(offers)
        changed = 0
        with self._transaction() as conn:
            current = {
                oid: json.loads(rec)
                for oid, rec in conn.execute("SELECT offer_id, record FROM offers")
            }
            links = dict(conn.execute("SELECT ext_key, offer_id FROM links").fetchall())
            for oid, rec in incoming.items():
                ext_key = f"{source}|{oid}"
                target = links.get(ext_key, oid)
                before = current.get(target)
                # Fill gaps only: a planner's edit of an OSM offer survives a re-seed.
                after = (
                    rec if before is None else merge_records(before, rec, replace=False, wins=())
                )
                if before is not None and _same(before, after):
                    continue
                self._write(
                    conn,
                    target,
                    before,
                    after,
                    user=user,
                    source=source,
                    action="insert" if before is None else "update",
                )
                conn.execute(
                    "INSERT OR REPLACE INTO links VALUES (?, ?, ?, 'own', NULL)",
                    (ext_key, target, source),
                )
                changed += 1
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, _now()))
        return changed

    def import_file(
        self,
        path: str | Path,
        *,
        user: str,
        mapping: Mapping[str, str] | None = None,
        geocoder: Geocoder | None = None,
        area: shapely.Geometry | None = None,
        default_category: str | None = None,
        source: str | None = None,
        updated: str | None = None,
        max_bytes: int | None = None,
    ) -> ImportReport:
        """Import an offer file in one transaction; see the module docstring.

        Parameters
        ----------
        path : str or Path
            CSV, XLSX, GeoJSON or GeoPackage (see :mod:`offers.readers`).
        user : str
            Who imports (kept in the history).
        mapping : mapping, optional
            Field -> column overrides.
        geocoder : object with ``geocode(query)``, optional
            For rows without coordinates (e.g. :class:`geo.geocode.Geocoder`).
        area : shapely geometry, optional
            Region outline (EPSG:4326); rows outside are rejected.
        default_category : str, optional
            Category for rows whose category cannot be determined.
        source : str, optional
            Source name (default: the file name); re-imports match by it.
        updated : str, optional
            Data date for rows without a "Stand" column (default: today, UTC).
        max_bytes : int, optional
            File size limit (default :func:`offers.readers.max_import_bytes`).

        Raises
        ------
        OfferImportError
            The file cannot be read at all; nothing is written.
        """
        path = Path(path)
        table = read_table(path, max_bytes=max_bytes)
        source = source or path.name
        parsed, rejects, used = parse_rows(
            table,
            mapping=mapping,
            geocoder=geocoder,
            area=area,
            source=source,
            default_category=default_category,
            updated=updated or _today(),
        )
        report = ImportReport(
            source=source,
            path=str(path),
            rows_read=table.rows_read,
            mapping=dict(used),
            unmapped_columns=[h for h in table.headers if h not in used.values()],
            encoding=table.encoding,
            delimiter=table.delimiter,
        )
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO imports (ts, user, source, path) VALUES (?, ?, ?, ?)",
                (_now(), user, source, str(path)),
            )
            import_id = int(cur.lastrowid or 0)
            report.import_id = import_id
            records = {
                oid: json.loads(rec)
                for oid, rec in conn.execute("SELECT offer_id, record FROM offers")
            }
            links = {
                k: (oid, how)
                for k, oid, how in conn.execute("SELECT ext_key, offer_id, how FROM links")
            }
            finder = DuplicateFinder(records)
            for item in parsed:
                self._import_row(conn, item, records, links, finder, report, user=user)
            for rej in rejects:
                conn.execute(
                    "INSERT INTO rejected VALUES (?, ?, ?, ?, ?)",
                    (
                        import_id,
                        rej.row,
                        rej.field,
                        rej.reason,
                        json.dumps({k: str(v) for k, v in rej.values.items()}, ensure_ascii=False),
                    ),
                )
            report.rejected = [r.to_dict() for r in rejects]
            report.imported = report.new + report.updated + report.unchanged
            conn.execute(
                "UPDATE imports SET report = ? WHERE import_id = ?",
                (json.dumps(report.to_dict(), ensure_ascii=False), import_id),
            )
        return report

    def _import_row(
        self,
        conn: sqlite3.Connection,
        item: Any,
        records: dict[str, dict[str, Any]],
        links: dict[str, tuple[str, str]],
        finder: DuplicateFinder,
        report: ImportReport,
        *,
        user: str,
    ) -> None:
        import_id = report.import_id
        rec = item.record
        link = links.get(item.key)
        if link is not None and link[0] in records:
            target, replace = link[0], link[1] == "own"
        else:
            target, decisions = finder.match(rec, row=item.row)
            replace = False
            self._log_decisions(conn, decisions, import_id)
            report.merge_decisions.extend(d.to_dict() for d in decisions)
            if target is not None:
                report.duplicates_merged += 1
                how = "merged"
            else:
                target = link[0] if link is not None else offer_id("imp", item.key)
                how = "own"
            links[item.key] = (target, how)
            conn.execute(
                "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?)",
                (item.key, target, report.source, how, import_id),
            )
        before = records.get(target)
        if before is None:
            after = normalise_record({**rec, "updated": rec.get("updated") or _today()})
            report.new += 1
        else:
            after = merge_records(before, rec, replace=replace)
            if _same(before, after):
                report.unchanged += 1
                return
            after["updated"] = rec.get("updated") or _today()
            report.updated += 1
        self._write(
            conn,
            target,
            before,
            after,
            user=user,
            source=report.source,
            action="insert" if before is None else ("update" if replace else "merge"),
            import_id=import_id,
        )
        records[target] = after
        finder.add(target, after)

    @staticmethod
    def _log_decisions(
        conn: sqlite3.Connection, decisions: list[MergeDecision], import_id: int | None
    ) -> None:
        for d in decisions:
            conn.execute(
                "INSERT INTO merges VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    import_id,
                    d.row,
                    d.offer_id,
                    d.name,
                    d.other_name,
                    d.distance_m,
                    d.name_score,
                    int(d.merged),
                ),
            )

    def update(
        self, offer_id: str, changes: Mapping[str, Any], *, user: str, source: str = "edit"
    ) -> dict[str, Any]:
        """Change fields of one offer (one transaction, one history entry).

        Raises
        ------
        OfferNotFoundError
            Unknown offer id (an ``OfferStoreError`` and a ``KeyError``).
        OfferStoreError
            A field that cannot be edited, or an unknown category.
        """
        bad = [k for k in changes if k not in EDITABLE]
        if bad:
            raise OfferStoreError(
                f"cannot edit field(s) {', '.join(bad)}; editable: {', '.join(EDITABLE)}."
            )
        if "category" in changes and changes["category"] not in CATEGORIES:
            raise OfferStoreError(
                f"unknown category {changes['category']!r}; use one of {', '.join(CATEGORIES)}."
            )
        with self._transaction() as conn:
            before = _stored_record(conn, offer_id)
            merged = {**before, **changes, "updated": _today()}
            if {"age_min", "age_max"} & set(changes) and "target_groups" not in changes:
                # Target groups follow the ages (the coverage analysis reads them).
                merged["target_groups"] = list(
                    groups_for_ages(int(merged["age_min"] or 0), merged["age_max"])
                )
            after = normalise_record(merged)
            if not _same(before, after):
                self._write(conn, offer_id, before, after, user=user, source=source, action="edit")
        return after

    def delete(self, offer_id: str, *, user: str, source: str = "edit") -> None:
        """Remove an offer (kept in the history; :meth:`state_at` still shows it)."""
        with self._transaction() as conn:
            before = _stored_record(conn, offer_id)
            self._write(conn, offer_id, before, None, user=user, source=source, action="delete")

    def export(self, path: str | Path, *, what: str = "offers", lang: str = "de") -> Path:
        """Write the catalogue (``what="offers"``) or the rejected rows (``"rejected"``)
        to CSV, XLSX or GeoJSON (by suffix); see :mod:`offers.export`."""
        from offers.export import export_offers, export_rejected

        if what == "offers":
            return export_offers(self.offers(), path, lang=lang)
        if what == "rejected":
            return export_rejected(self.rejected(), path)
        raise OfferStoreError(f"unknown export {what!r}; use 'offers' or 'rejected'.")


def _stored_record(conn: sqlite3.Connection, offer_id: str) -> dict[str, Any]:
    """The stored record of ``offer_id``; raises :class:`OfferNotFoundError` if none."""
    row = conn.execute("SELECT record FROM offers WHERE offer_id = ?", (offer_id,)).fetchone()
    if row is None:
        raise OfferNotFoundError(offer_id)
    return json.loads(row[0])
