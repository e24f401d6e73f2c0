"""The one text-folding function for matching names, headers, queries and keys.

German place and offer names are written with and without umlauts (``Straße``,
``Strasse``; ``Bücherei``, ``Buecherei``), in any case and with any punctuation.
:func:`fold_text` maps them to one comparable form; callers that need more (the
geocoder's abbreviations, compact header keys) build on it.
"""

from __future__ import annotations

import re
import unicodedata

# German transliteration first, so that "ä" becomes "ae" and not a bare "a"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^\w]+")


def fold_text(text: object, *, transliterate: bool = True) -> str:
    """Lower case, umlauts as ``ae``/``oe``/``ue``/``ss``, punctuation as single spaces.

    Parameters
    ----------
    text : object
        Any value; ``str(text)`` is folded.
    transliterate : bool
        Also write umlauts and ``ß`` as ``ae``/``oe``/``ue``/``ss`` and drop other
        accents (``é`` -> ``e``). ``False`` only lower-cases and splits at
        punctuation: for keys already stored in that form (``offers.rows`` derives
        offer ids from them, so they must not change).

    Returns
    -------
    str
        Words of letters, digits and ``_`` joined by single spaces, no leading or
        trailing space. ``"Theodor-Heuss-Straße  5"`` -> ``"theodor heuss strasse 5"``.

    Examples
    --------
    >>> fold_text("Bücherei (Zentrum)")
    'buecherei zentrum'
    >>> fold_text("Café Größe", transliterate=False)
    'café größe'
    """
    low = str(text).lower()
    if transliterate:
        # NFC first: a decomposed "a" + combining diaeresis is an "ä" too
        low = unicodedata.normalize("NFC", low).translate(_UMLAUTS)
        # NFKD splits accents off and compatibility forms ("ﬁ", "𝕬") into plain
        # letters, which may be upper case again
        low = unicodedata.normalize("NFKD", low).lower()
        low = "".join(ch for ch in low if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", low).split())
