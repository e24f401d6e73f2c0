"""Atomic file writes: write a temporary file next to the target, then rename it.

A reader never sees a half-written file and a failed write leaves the old file (or
none) in place. Folders (region caches, vendored assets) use the same idea in
:mod:`geo.build` and :mod:`layers.assets`; single files use these helpers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[Path], None], *, mode: int = 0o644) -> Path:
    """Call ``write(tmp)`` on a temporary path next to ``path``, then rename it to ``path``.

    Parameters
    ----------
    path : str or Path
        The target; its folder is created when missing.
    write : callable
        Writes the whole content to the path it is given (e.g. ``frame.to_csv``).
    mode : int
        Permission bits of the result (``mkstemp`` alone would give ``0o600``).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # keep the suffix last: writers such as pandas' to_excel pick the format by it
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(
    path: str | Path, text: str, *, encoding: str = "utf-8", mode: int = 0o644
) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`write_atomic`)."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding), mode=mode)
