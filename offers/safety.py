"""Escaping helpers: every text from data or users passes one of these before HTML or
a spreadsheet cell.
"""

from __future__ import annotations

import html
import math
from typing import Any

#: Cells starting with one of these are formulas in Excel/LibreOffice (plus tab and CR,
#: which some programs strip before evaluating).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: Any) -> str:
    """``value`` as HTML-safe text (``&``, ``<``, ``>``, quotes escaped; None/NaN -> "").

    Examples
    --------
    >>> html_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return html.escape(str(value), quote=True)


def safe_url(value: Any) -> str:
    """An escaped ``http(s)``/``mailto``/``tel`` URL for an ``href``, else ``""``.

    ``javascript:`` and other schemes are dropped, so a data row cannot inject script
    through a link.
    """
    text = "" if value is None else str(value).strip()
    low = text.lower()
    if low.startswith(("http://", "https://", "mailto:", "tel:")):
        return html.escape(text, quote=True)
    if low.startswith("www."):
        return html.escape("https://" + text, quote=True)
    return ""


def neutralise_formula(value: Any) -> Any:
    """Make a spreadsheet cell inert: text starting with ``= + - @`` gets a leading ``'``.

    Numbers are returned unchanged (a negative number is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
