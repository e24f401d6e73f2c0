"""Escaping helpers: every text from data or users passes one of these before HTML or
a spreadsheet cell. The one place for them: :mod:`layers.text` re-exports
:func:`html_text` as ``esc`` and builds ``safe_href`` on :func:`safe_url`.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

#: Cells starting with one of these are formulas in Excel/LibreOffice (plus tab and CR,
#: which some programs strip before evaluating).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: URL schemes :func:`safe_url` lets through by default.
URL_SCHEMES: tuple[str, ...] = ("http://", "https://", "mailto:", "tel:")

# A link target with no whitespace, quotes or angle brackets (escaping alone would keep
# a quote-broken attribute harmless, but such a URL is broken anyway).
_URL_CHARS = re.compile(r"^[^\s<>\"'`]+$")
# "kita.de/anmeldung" as often entered: a host name without a scheme.
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(/|$)")


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA, empty/blank strings and empty collections."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set):
        return len(value) == 0
    try:
        return bool(pd.isna(value))  # None, NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def html_text(value: Any) -> str:
    """``value`` as HTML-safe text (``&``, ``<``, ``>``, quotes escaped; missing -> "").

    Lists and tuples are joined with ``"; "``.

    Examples
    --------
    >>> html_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if is_missing(value):
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return html.escape(str(value), quote=True)


def safe_url(value: Any, *, schemes: tuple[str, ...] = URL_SCHEMES) -> str:
    """An escaped URL for an ``href`` if its scheme is in ``schemes``, else ``""``.

    ``javascript:``, ``data:`` and other schemes are dropped, so a data row cannot
    inject script through a link. A bare host (``www.kita.de``, ``kita.de/anmeldung``)
    becomes ``https://…`` when ``https://`` is allowed.
    """
    text = "" if is_missing(value) else str(value).strip()
    low = text.lower()
    if not low.startswith(schemes):
        if "https://" not in schemes or not (low.startswith("www.") or _BARE_HOST.match(text)):
            return ""
        text = "https://" + text
    if not _URL_CHARS.match(text):
        return ""
    return html.escape(text, quote=True)


def neutralise_formula(value: Any) -> Any:
    """Make a spreadsheet cell inert: text starting with ``= + - @`` gets a leading ``'``.

    Numbers are returned unchanged (a negative number is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
