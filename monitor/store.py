"""One embedded SQLite store of indicator values per region, with a change history.

The file is ``<work_dir>/monitor/<slug>.sqlite`` (``BLK_WORK_DIR``), next to the offer
store and written the same way: every write (an import, an edit, a target, a
snapshot) is one SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, journal mode
DELETE, ``synchronous=FULL``), so a crash or ``kill -9`` leaves the previous state.

Tables: ``indicators`` (key, record as JSON), ``areas`` (level, area_key, name),
``vals`` (one row per level, area, indicator and period: value, status, note,
import_id), ``history`` (every change: time, user, source file, kind, item, action,
before/after), ``imports`` (one row per import: time, user, source, path, SHA-256 of
the file, report), ``rejected`` (rejected values per import), ``targets``,
``snapshots``.

Re-imports: a value is matched by ``(level, area_key, indicator, period)``. The same
file again changes nothing (every value ``unchanged``; only the import itself is
logged). A corrected file updates the values it matches; the old ones stay in the
history. Indicator metadata from a file only fills indicators the store does not know
yet, so a planner's edits of labels, units or polarity survive re-imports.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geo import sqlitefile
from geo.errors import MonitorStoreError
from geo.settings import Paths, get_paths
from monitor.model import (
    DOMAINS,
    EXPORT_COLUMNS,
    LEVELS,
    META_COLUMNS,
    Indicator,
    Value,
)

SCHEMA_VERSION = 1

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS indicators (key TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS areas (
    level TEXT NOT NULL, area_key TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (level, area_key));
CREATE TABLE IF NOT EXISTS vals (
    level TEXT NOT NULL, area_key TEXT NOT NULL, indicator TEXT NOT NULL,
    period TEXT NOT NULL, value REAL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    import_id INTEGER, PRIMARY KEY (level, area_key, indicator, period));
CREATE INDEX IF NOT EXISTS vals_indicator ON vals (indicator, period);
CREATE TABLE IF NOT EXISTS history (
    change_id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    source TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL, action TEXT NOT NULL,
    before TEXT, after TEXT, import_id INTEGER);
CREATE INDEX IF NOT EXISTS history_item ON history (kind, item);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    source TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, report TEXT);
CREATE TABLE IF NOT EXISTS rejected (
    import_id INTEGER NOT NULL, row INTEGER, col TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targets (
    indicator TEXT NOT NULL, level TEXT NOT NULL, area_key TEXT NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (indicator, level, area_key));
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    period TEXT NOT NULL, inputs TEXT NOT NULL);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _dumps(obj: Any) -> str | None:
    return None if obj is None else json.dumps(obj, ensure_ascii=False, sort_keys=True)


def _value_record(v: Value) -> dict[str, Any]:
    return {"value": v.value, "status": v.status, "note": v.note}


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))


@dataclass
class WriteCounts:
    """What one write of values did: ``new + updated + unchanged`` = values written."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    indicators_added: list[str] = field(default_factory=list)


class MonitorStore:
    """The indicator values of one region.

    Parameters
    ----------
    slug : str
        Region slug; the file is ``paths.work_dir / "monitor" / f"{slug}.sqlite"``.
    paths : Paths, optional
        Folders; default :func:`geo.settings.get_paths`. The store refuses to live
        inside the (read-only) data root.
    """

    def __init__(self, slug: str, *, paths: Paths | None = None) -> None:
        self.slug = slug
        self.paths = paths or get_paths()
        self.path = self.paths.work_dir / "monitor" / f"{slug}.sqlite"
        sqlitefile.create(
            self.path,
            data_root=self.paths.data_root,
            ddl=_DDL,
            schema_version=SCHEMA_VERSION,
            error=MonitorStoreError,
            what="indicator store",
        )

    def _connect(self) -> sqlite3.Connection:
        return sqlitefile.connect(self.path)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (:func:`geo.sqlitefile.transaction`)."""
        return sqlitefile.transaction(self.path)

    @staticmethod
    def _log(
        conn: sqlite3.Connection,
        *,
        user: str,
        source: str,
        kind: str,
        item: str,
        action: str,
        before: Any,
        after: Any,
        import_id: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO history (ts, user, source, kind, item, action, before, after, "
            "import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), user, source, kind, item, action, _dumps(before), _dumps(after), import_id),
        )

    # -- reading ---------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def indicators(self) -> list[Indicator]:
        """Every indicator, in domain order, then by key."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT record FROM indicators").fetchall()
        out = [Indicator.from_dict(json.loads(r[0])) for r in rows]
        return sorted(out, key=lambda i: (DOMAINS.index(i.domain), i.key))

    def indicator(self, key: str) -> Indicator:
        """One indicator; raises :class:`MonitorStoreError` if unknown."""
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT record FROM indicators WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise MonitorStoreError(
                f"no indicator {key!r} in the store of {self.slug}; import it first or "
                "check the key (python -m monitor export lists the keys)."
            )
        return Indicator.from_dict(json.loads(row[0]))

    def areas(self) -> pd.DataFrame:
        """Known areas: columns ``level, area_key, name``."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT level, area_key, name FROM areas ORDER BY level, area_key"
            ).fetchall()
        return pd.DataFrame(rows, columns=["level", "area_key", "name"])

    def values(self, *, indicator: str | None = None) -> pd.DataFrame:
        """Stored values: ``level, area_key, indicator, period, value, status, note,
        import_id`` (value NaN where suppressed or missing)."""
        sql = "SELECT level, area_key, indicator, period, value, status, note, import_id FROM vals"
        args: tuple[Any, ...] = ()
        if indicator is not None:
            sql += " WHERE indicator = ?"
            args = (indicator,)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY indicator, level, area_key, period", args)
            frame = pd.DataFrame(
                rows.fetchall(),
                columns=[
                    "level",
                    "area_key",
                    "indicator",
                    "period",
                    "value",
                    "status",
                    "note",
                    "import_id",
                ],
            )
        frame["value"] = frame["value"].astype(float)
        frame["import_id"] = frame["import_id"].astype("Int64")
        return frame

    def values_frame(self) -> pd.DataFrame:
        """All values with area names and indicator metadata; see :func:`values_frame`."""
        vals = self.values()
        areas = self.areas()
        names = {(lv, k): n for lv, k, n in areas.itertuples(index=False, name=None)}
        inds = {i.key: i for i in self.indicators()}
        imports = self.imports()
        src = dict(zip(imports["import_id"], imports["source"], strict=True))
        out = pd.DataFrame(
            {
                "area_key": vals["area_key"],
                "area_name": [
                    names.get((lv, k), k)
                    for lv, k in zip(vals["level"], vals["area_key"], strict=True)
                ],
                "level": vals["level"],
                "indicator": vals["indicator"],
                "period": vals["period"],
                "value": vals["value"],
                "status": vals["status"],
            }
        )
        meta = [inds.get(k) for k in vals["indicator"]]
        out["unit"] = [m.unit if m else "" for m in meta]
        out["label_de"] = [
            m.label_de if m else k for m, k in zip(meta, vals["indicator"], strict=True)
        ]
        out["label_en"] = [
            (m.label_en or m.label_de) if m else k
            for m, k in zip(meta, vals["indicator"], strict=True)
        ]
        out["domain"] = [m.domain if m else "" for m in meta]
        out["polarity"] = [m.polarity if m else "neutral" for m in meta]
        out["note"] = vals["note"]
        out["source"] = [
            (m.source if m and m.source else src.get(i, ""))
            for m, i in zip(meta, vals["import_id"].astype(object), strict=True)
        ]
        out["import_id"] = vals["import_id"]
        return out[[*EXPORT_COLUMNS, *META_COLUMNS]]

    def history(self, *, kind: str | None = None, item: str | None = None) -> pd.DataFrame:
        """Changes, newest first: ``change_id, ts, user, source, kind, item, action,
        import_id, before, after`` (before/after as dicts, None for insert/delete)."""
        sql = "SELECT change_id, ts, user, source, kind, item, action, import_id, before, after "
        sql += "FROM history"
        conds, args = [], []
        if kind is not None:
            conds.append("kind = ?")
            args.append(kind)
        if item is not None:
            conds.append("item = ?")
            args.append(item)
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY change_id DESC", args).fetchall()
        cols = ["change_id", "ts", "user", "source", "kind", "item", "action", "import_id"]
        frame = pd.DataFrame([r[:8] for r in rows], columns=cols)
        frame["before"] = [None if r[8] is None else json.loads(r[8]) for r in rows]
        frame["after"] = [None if r[9] is None else json.loads(r[9]) for r in rows]
        return frame

    def last_change_id(self) -> int:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT MAX(change_id) FROM history").fetchone()
        return int(row[0] or 0)

    def imports(self) -> pd.DataFrame:
        """One row per import: ``import_id, ts, user, source, path, sha256, report``."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT import_id, ts, user, source, path, sha256, report FROM imports "
                "ORDER BY import_id"
            ).fetchall()
        frame = pd.DataFrame(
            [r[:6] for r in rows],
            columns=["import_id", "ts", "user", "source", "path", "sha256"],
        )
        frame["report"] = [None if r[6] is None else json.loads(r[6]) for r in rows]
        return frame

    def rejected(self, *, import_id: int) -> pd.DataFrame:
        """Rejected values of one import: ``row, column, reason``."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT row, col, reason FROM rejected WHERE import_id = ? ORDER BY rowid",
                (int(import_id),),
            ).fetchall()
        return pd.DataFrame(rows, columns=["row", "column", "reason"])

    # -- writing ---------------------------------------------------------------
    def _put_indicators(
        self,
        conn: sqlite3.Connection,
        indicators: Iterable[Indicator],
        *,
        user: str,
        source: str,
        import_id: int | None,
        overwrite: bool,
    ) -> list[str]:
        added = []
        for ind in indicators:
            row = conn.execute("SELECT record FROM indicators WHERE key = ?", (ind.key,)).fetchone()
            before = None if row is None else json.loads(row[0])
            after = ind.to_dict()
            if before is not None and (not overwrite or before == after):
                continue
            conn.execute(
                "INSERT OR REPLACE INTO indicators VALUES (?, ?)", (ind.key, _dumps(after))
            )
            self._log(
                conn,
                user=user,
                source=source,
                kind="indicator",
                item=ind.key,
                action="insert" if before is None else "edit",
                before=before,
                after=after,
                import_id=import_id,
            )
            if before is None:
                added.append(ind.key)
        return added

    @staticmethod
    def _put_areas(conn: sqlite3.Connection, areas: Iterable[tuple[str, str, str]]) -> None:
        for level, key, name in areas:
            if level not in LEVELS:
                raise MonitorStoreError(f"unknown area level {level!r}; use one of {LEVELS}.")
            conn.execute("INSERT OR REPLACE INTO areas VALUES (?, ?, ?)", (level, key, name))

    def _put_values(
        self,
        conn: sqlite3.Connection,
        values: Sequence[Value],
        *,
        user: str,
        source: str,
        import_id: int | None,
        counts: WriteCounts,
    ) -> None:
        for v in values:
            row = conn.execute(
                "SELECT value, status, note FROM vals WHERE level = ? AND area_key = ? "
                "AND indicator = ? AND period = ?",
                v.key,
            ).fetchone()
            after = _value_record(v)
            if row is not None:
                before = {"value": row[0], "status": row[1], "note": row[2]}
                if (
                    _same_number(before["value"], v.value)
                    and before["status"] == v.status
                    and before["note"] == v.note
                ):
                    counts.unchanged += 1
                    continue
                counts.updated += 1
            else:
                before = None
                counts.new += 1
            conn.execute(
                "INSERT OR REPLACE INTO vals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*v.key, v.value, v.status, v.note, import_id),
            )
            self._log(
                conn,
                user=user,
                source=source,
                kind="value",
                item="|".join(v.key),
                action="insert" if before is None else "update",
                before=before,
                after=after,
                import_id=import_id,
            )

    def write_import(
        self,
        *,
        values: Sequence[Value],
        indicators: Iterable[Indicator],
        areas: Iterable[tuple[str, str, str]],
        user: str,
        source: str,
        path: str,
        sha256: str,
        report: dict[str, Any],
        rejected: Sequence[Mapping[str, Any]] = (),
    ) -> tuple[int, WriteCounts]:
        """Write one import in one transaction.

        ``report`` is stored as given, completed with ``import_id``, ``new``,
        ``updated``, ``unchanged`` and ``indicators_added``. Returns the import id and
        the counts.
        """
        counts = WriteCounts()
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO imports (ts, user, source, path, sha256) VALUES (?, ?, ?, ?, ?)",
                (_now(), user, source, path, sha256),
            )
            import_id = int(cur.lastrowid or 0)
            counts.indicators_added = self._put_indicators(
                conn, indicators, user=user, source=source, import_id=import_id, overwrite=False
            )
            self._put_areas(conn, areas)
            self._put_values(
                conn, values, user=user, source=source, import_id=import_id, counts=counts
            )
            conn.executemany(
                "INSERT INTO rejected VALUES (?, ?, ?, ?)",
                [(import_id, r.get("row"), str(r.get("column")), r["reason"]) for r in rejected],
            )
            full = {
                **report,
                "import_id": import_id,
                "new": counts.new,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "indicators_added": counts.indicators_added,
            }
            report.update(full)
            conn.execute(
                "UPDATE imports SET report = ? WHERE import_id = ?", (_dumps(full), import_id)
            )
        return import_id, counts

    def write_values(
        self,
        values: Sequence[Value],
        *,
        user: str,
        source: str,
        indicators: Iterable[Indicator] = (),
        areas: Iterable[tuple[str, str, str]] = (),
    ) -> WriteCounts:
        """Write computed or edited values (no import record), in one transaction."""
        counts = WriteCounts()
        with self._transaction() as conn:
            counts.indicators_added = self._put_indicators(
                conn, indicators, user=user, source=source, import_id=None, overwrite=True
            )
            self._put_areas(conn, areas)
            self._put_values(conn, values, user=user, source=source, import_id=None, counts=counts)
        return counts

    def edit_indicator(self, key: str, *, user: str, **changes: Any) -> Indicator:
        """Change an indicator's metadata (labels, unit, polarity …); one history entry."""
        new = self.indicator(key).with_changes(**changes)
        with self._transaction() as conn:
            self._put_indicators(
                conn, [new], user=user, source="edit", import_id=None, overwrite=True
            )
        return new

    # -- targets and snapshots ------------------------------------------------
    def set_target(self, target: Any, *, user: str) -> None:
        """Store a :class:`monitor.targets.Target` (replacing the one for the same
        indicator and area); kept in the history."""
        record = target.to_dict()
        key = (target.indicator, target.level, target.area_key)
        with self._transaction() as conn:
            before = _target_record(conn, key)
            if before == record:
                return
            conn.execute(
                "INSERT OR REPLACE INTO targets VALUES (?, ?, ?, ?)", (*key, _dumps(record))
            )
            self._log(
                conn,
                user=user,
                source="edit",
                kind="target",
                item="|".join(key),
                action="insert" if before is None else "update",
                before=before,
                after=record,
            )

    def delete_target(self, indicator: str, *, level: str, area_key: str, user: str) -> None:
        key = (indicator, level, area_key)
        with self._transaction() as conn:
            before = _target_record(conn, key)
            if before is None:
                raise MonitorStoreError(f"no target for {indicator!r} at {level} {area_key!r}.")
            conn.execute(
                "DELETE FROM targets WHERE indicator = ? AND level = ? AND area_key = ?", key
            )
            self._log(
                conn,
                user=user,
                source="edit",
                kind="target",
                item="|".join(key),
                action="delete",
                before=before,
                after=None,
            )

    def target_records(self) -> list[dict[str, Any]]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT record FROM targets ORDER BY indicator").fetchall()
        return [json.loads(r[0]) for r in rows]

    def write_snapshot(
        self,
        values: Sequence[Value],
        *,
        indicators: Iterable[Indicator],
        areas: Iterable[tuple[str, str, str]],
        period: str,
        inputs: Mapping[str, Any],
        user: str,
    ) -> tuple[int, WriteCounts]:
        """Store computed indicator values with the versions of their inputs (one
        transaction); returns the snapshot id and the counts."""
        counts = WriteCounts()
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO snapshots (ts, user, period, inputs) VALUES (?, ?, ?, ?)",
                (_now(), user, period, _dumps(dict(inputs))),
            )
            snapshot_id = int(cur.lastrowid or 0)
            source = f"snapshot {snapshot_id}"
            counts.indicators_added = self._put_indicators(
                conn, indicators, user=user, source=source, import_id=None, overwrite=True
            )
            self._put_areas(conn, areas)
            self._put_values(conn, values, user=user, source=source, import_id=None, counts=counts)
        return snapshot_id, counts

    def snapshots(self) -> pd.DataFrame:
        """``snapshot_id, ts, user, period, inputs`` (dict), oldest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT snapshot_id, ts, user, period, inputs FROM snapshots ORDER BY snapshot_id"
            ).fetchall()
        frame = pd.DataFrame([r[:4] for r in rows], columns=["snapshot_id", "ts", "user", "period"])
        frame["inputs"] = [json.loads(r[4]) for r in rows]
        return frame


def _target_record(conn: sqlite3.Connection, key: tuple[str, str, str]) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT record FROM targets WHERE indicator = ? AND level = ? AND area_key = ?", key
    ).fetchone()
    return None if row is None else json.loads(row[0])


def values_frame(slug: str, *, paths: Paths | None = None) -> pd.DataFrame:
    """Every stored value of a region as one long table (the monitoring page's input).

    Columns: :data:`monitor.model.EXPORT_COLUMNS` (``area_key, area_name, level,
    indicator, period, value, status, unit``) then :data:`monitor.model.META_COLUMNS`
    (``label_de, label_en, domain, polarity, note, source, import_id``). ``value`` is
    NaN where the status is suppressed or missing. Region totals have ``level ==
    "region"``; values the source could not assign to a district ``"unassigned"``.
    """
    return MonitorStore(slug, paths=paths).values_frame()


def count_values(slug: str, *, paths: Paths | None = None) -> int:
    """How many values the region's store holds (0 when it has none yet); for
    ``python -m geo info``. Does not create the store."""
    path = store_path(slug, paths=paths)
    if not path.exists():
        return 0
    with closing(sqlitefile.connect(path)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM vals").fetchone()[0])


def store_path(slug: str, *, paths: Paths | None = None) -> Path:
    """Where the region's indicator store lives (it may not exist yet)."""
    return (paths or get_paths()).work_dir / "monitor" / f"{slug}.sqlite"
