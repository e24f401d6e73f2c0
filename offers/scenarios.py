"""The scenario store: named planning variants with their full history, per region.

SQLite in ``BLK_WORK_DIR/scenarios/<slug>.sqlite``. Every save appends a version
(who, when, the whole scenario as JSON) inside one ``BEGIN IMMEDIATE`` transaction,
so a crash leaves the previous version intact; a delete appends a tombstone version,
so nothing is lost and history shows it. Only signed-in planners (a non-empty
``user``) write.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import InputDataError, OfferStoreError
from geo.plan_scenarios import Scenario
from geo.settings import Paths, get_paths

__all__ = ["ScenarioNotFoundError", "ScenarioStore"]

_DDL = """
CREATE TABLE IF NOT EXISTS versions (
    name TEXT NOT NULL, version INTEGER NOT NULL, ts TEXT NOT NULL, user TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, payload TEXT,
    PRIMARY KEY (name, version));
"""


class ScenarioNotFoundError(OfferStoreError, KeyError):
    """No (live) scenario of that name."""

    def __str__(self) -> str:
        return f"no scenario named {self.args[0]!r}; pick one of the saved scenarios."


@dataclass
class ScenarioStore:
    """Saved scenarios of one region.

    Parameters
    ----------
    slug : str
        Region slug.
    paths : Paths, optional
        Folders (``BLK_WORK_DIR``).
    """

    slug: str
    paths: Paths = field(default_factory=get_paths)

    @property
    def path(self) -> Path:
        return self.paths.work_dir / "scenarios" / f"{self.slug}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.executescript(_DDL)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def save(self, scenario: Scenario, *, user: str) -> int:
        """Store a new version of the scenario; returns its version number."""
        _check_user(user)
        scenario.validate()
        payload = json.dumps(scenario.to_dict(), ensure_ascii=False, sort_keys=True)
        with self._transaction() as conn:
            (last,) = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM versions WHERE name = ?", (scenario.name,)
            ).fetchone()
            conn.execute(
                "INSERT INTO versions (name, version, ts, user, deleted, payload) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (scenario.name, last + 1, _now(), user, payload),
            )
        return int(last + 1)

    def get(self, name: str, *, version: int | None = None) -> Scenario:
        """The latest (or a given) version of a scenario."""
        conn = self._connect()
        try:
            if version is None:
                row = conn.execute(
                    "SELECT deleted, payload FROM versions WHERE name = ? "
                    "ORDER BY version DESC LIMIT 1",
                    (name,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT deleted, payload FROM versions WHERE name = ? AND version = ?",
                    (name, int(version)),
                ).fetchone()
        finally:
            conn.close()
        if row is None or row[0] or row[1] is None:
            raise ScenarioNotFoundError(name)
        return Scenario.from_dict(json.loads(row[1]))

    def names(self) -> list[str]:
        """Live scenarios, most recently saved first."""
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT name, deleted, ts FROM versions v WHERE version = "
                "(SELECT MAX(version) FROM versions w WHERE w.name = v.name) ORDER BY ts DESC, name"
            ).fetchall()
        finally:
            conn.close()
        return [r[0] for r in rows if not r[1]]

    def history(self, name: str) -> pd.DataFrame:
        """All versions of a scenario: ``version``, ``ts``, ``user``, ``deleted``."""
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT version, ts, user, deleted FROM versions WHERE name = ? ORDER BY version",
                (name,),
            ).fetchall()
        finally:
            conn.close()
        return pd.DataFrame(rows, columns=["version", "ts", "user", "deleted"]).astype(
            {"deleted": bool}
        )

    def delete(self, name: str, *, user: str) -> int:
        """Mark a scenario deleted (a tombstone version; history keeps every version)."""
        _check_user(user)
        self.get(name)
        with self._transaction() as conn:
            (last,) = conn.execute(
                "SELECT MAX(version) FROM versions WHERE name = ?", (name,)
            ).fetchone()
            conn.execute(
                "INSERT INTO versions (name, version, ts, user, deleted, payload) "
                "VALUES (?, ?, ?, ?, 1, NULL)",
                (name, last + 1, _now(), user),
            )
        return int(last + 1)

    def export_json(self, names: list[str] | None = None) -> str:
        """The latest versions of the named (default: all live) scenarios as JSON."""
        chosen = self.names() if names is None else names
        return json.dumps(
            {"region": self.slug, "scenarios": [self.get(n).to_dict() for n in chosen]},
            ensure_ascii=False,
            indent=1,
        )


def _check_user(user: str) -> None:
    if not user or not user.strip():
        raise InputDataError(
            "only a signed-in planner may save scenarios.",
            field="user",
            hint="Sign in as a planner first.",
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
