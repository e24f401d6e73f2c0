"""One embedded SQLite file per store, written in single transactions.

The offer store and the indicator store keep their data the same way: a file under
the work folder (never inside the read-only data root), journal mode DELETE with
``synchronous=FULL``, and one ``BEGIN IMMEDIATE`` transaction per write, so a crash or
``kill -9`` in the middle leaves the previous state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from geo.errors import BildungslandkarteError


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (``isolation_level=None``): writers issue
    ``BEGIN IMMEDIATE`` themselves through :func:`transaction`."""
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


@contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE``, then ``COMMIT``, or ``ROLLBACK`` on
    any error (also KeyboardInterrupt), so a failed change writes nothing."""
    conn = connect(path)
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


def create(
    path: Path,
    *,
    data_root: Path,
    ddl: str,
    schema_version: int,
    error: type[BildungslandkarteError],
    what: str,
) -> None:
    """Create (or open) the file with its tables; refuse a path inside ``data_root``.

    Raises
    ------
    error
        The path lies in the data root, or the file cannot be created or opened.
    """
    if path.resolve().is_relative_to(data_root):
        raise error(
            f"the {what} {path} would be inside the read-only data root {data_root}; "
            "set BLK_WORK_DIR to another folder."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(connect(path)) as conn:
            conn.executescript(ddl)
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(schema_version),)
            )
    except (OSError, sqlite3.Error) as exc:
        raise error(f"cannot open the {what} {path}: {exc}") from exc
