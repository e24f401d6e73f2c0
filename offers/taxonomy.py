"""The category taxonomy of education offers (lifelong learning, in German terms).

Every offer has exactly one category key from :data:`CATEGORIES`. A category knows its
German and English label, its *group* (the family used for duplicate detection and the
map legend), a colour, a Font Awesome 6 free *solid* icon name and the default target
age range that the coverage analysis uses.

Colours follow the Okabe–Ito palette, which stays distinguishable for the common forms
of colour blindness. There are more categories than safe colours, so categories share
their group's colour and differ by icon; the icon, not the colour, carries the category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.agegroups import groups_for_ages


@dataclass(frozen=True)
class Category:
    """One offer category.

    Attributes
    ----------
    key : str
        Stable ASCII key stored in the offer table.
    label_de, label_en : str
        Display labels.
    group : str
        Key of the family in :data:`GROUPS` (same family = duplicate candidates).
    color : str
        Hex colour (Okabe–Ito) of the group.
    icon : str
        Font Awesome 6 free solid icon name (without the ``fa-`` prefix).
    target_min_age, target_max_age : int or None
        Default target ages in years, inclusive; ``None`` as maximum means open.
    """

    key: str
    label_de: str
    label_en: str
    group: str
    color: str
    icon: str
    target_min_age: int
    target_max_age: int | None

    @property
    def target_groups(self) -> tuple[str, ...]:
        """The :mod:`geo.agegroups` keys that overlap the default target ages."""
        return groups_for_ages(self.target_min_age, self.target_max_age)


@dataclass(frozen=True)
class Group:
    """A family of categories with one legend colour."""

    key: str
    label_de: str
    label_en: str
    color: str


# Okabe–Ito: orange, blue, vermillion, bluish green, reddish purple, sky blue, black.
GROUPS: dict[str, Group] = {
    g.key: g
    for g in (
        Group("fruehe_bildung", "Frühe Bildung", "Early childhood", "#E69F00"),
        Group("schule", "Schule", "School", "#0072B2"),
        Group("beruf_hochschule", "Beruf und Hochschule", "Vocational and higher", "#D55E00"),
        Group("erwachsenenbildung", "Erwachsenenbildung", "Adult education", "#009E73"),
        Group("kultur", "Bibliothek und Musik", "Libraries and music", "#CC79A7"),
        Group("jugend_familie", "Jugend, Familie, Beratung", "Youth, family, advice", "#56B4E9"),
        Group("sonstige", "Sonstige", "Other", "#000000"),
    )
}


def _c(
    key: str,
    label_de: str,
    label_en: str,
    group: str,
    icon: str,
    min_age: int,
    max_age: int | None,
) -> Category:
    return Category(key, label_de, label_en, group, GROUPS[group].color, icon, min_age, max_age)


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        _c("krippe", "Krippe", "Nursery (under 3)", "fruehe_bildung", "baby-carriage", 0, 2),
        _c("kita", "Kita", "Daycare centre", "fruehe_bildung", "children", 0, 5),
        _c(
            "kindertagespflege",
            "Kindertagespflege",
            "Childminder",
            "fruehe_bildung",
            "house-chimney-user",
            0,
            2,
        ),
        _c("grundschule", "Grundschule", "Primary school", "schule", "pencil", 6, 9),
        _c("hauptschule", "Hauptschule", "Hauptschule (lower secondary)", "schule", "book", 10, 15),
        _c("realschule", "Realschule", "Realschule (secondary)", "schule", "school", 10, 16),
        _c("oberschule", "Oberschule", "Oberschule (secondary)", "schule", "school-flag", 10, 16),
        _c(
            "schule_sonstige",
            "Allgemeinbildende Schule (Schulform unbekannt)",
            "School (type unknown)",
            "schule",
            "chalkboard",
            6,
            18,
        ),
        _c("gymnasium", "Gymnasium", "Grammar school", "schule", "graduation-cap", 10, 18),
        _c(
            "gesamtschule",
            "Gesamtschule",
            "Comprehensive school",
            "schule",
            "school-circle-check",
            10,
            18,
        ),
        _c(
            "foerderschule",
            "Förderschule",
            "Special needs school",
            "schule",
            "hands-holding-child",
            6,
            18,
        ),
        _c(
            "berufsschule",
            "Berufsbildende Schule",
            "Vocational school",
            "beruf_hochschule",
            "screwdriver-wrench",
            16,
            25,
        ),
        _c(
            "hochschule",
            "Hochschule",
            "University",
            "beruf_hochschule",
            "building-columns",
            18,
            None,
        ),
        _c(
            "volkshochschule",
            "Volkshochschule",
            "Adult education centre (VHS)",
            "erwachsenenbildung",
            "chalkboard-user",
            16,
            None,
        ),
        _c(
            "erwachsenenbildung",
            "Weitere Erwachsenenbildung",
            "Other adult education",
            "erwachsenenbildung",
            "person-chalkboard",
            18,
            None,
        ),
        _c(
            "sprachkurs",
            "Sprach- und Integrationskurs",
            "Language and integration course",
            "erwachsenenbildung",
            "language",
            16,
            None,
        ),
        _c("bibliothek", "Bibliothek", "Library", "kultur", "book-open-reader", 0, None),
        _c("musikschule", "Musikschule", "Music school", "kultur", "music", 4, None),
        _c(
            "jugendzentrum", "Jugendzentrum", "Youth centre", "jugend_familie", "user-group", 10, 26
        ),
        _c(
            "familienzentrum",
            "Familienzentrum",
            "Family centre",
            "jugend_familie",
            "people-roof",
            0,
            None,
        ),
        _c(
            "beratung_bildung",
            "Bildungsberatung",
            "Education advice",
            "jugend_familie",
            "comments",
            10,
            None,
        ),
        _c(
            "beratung_beruf",
            "Berufsberatung",
            "Career advice",
            "jugend_familie",
            "briefcase",
            14,
            None,
        ),
        _c(
            "beratung_familie",
            "Familienberatung",
            "Family counselling",
            "jugend_familie",
            "hand-holding-heart",
            0,
            None,
        ),
        _c(
            "sonstige",
            "Sonstiges non-formales Angebot",
            "Other non-formal offer",
            "sonstige",
            "lightbulb",
            0,
            None,
        ),
    )
}

#: Fallback for offers whose category cannot be decided but that are education offers.
OTHER = "sonstige"

# Keyword rules for free text (names, school types); first match wins, so the more
# specific words come first. Patterns match lower-cased text with umlauts kept.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"schulkindergarten", "grundschule"),
    (r"volkshochschule|\bvhs\b", "volkshochschule"),
    (r"integrationskurs|sprachkurs|sprachschule|deutschkurs|language", "sprachkurs"),
    (r"tagespflege|tagesmutter|tagesvater", "kindertagespflege"),
    (r"krippe|krabbel", "krippe"),
    (r"kita\b|kindertagesst|kindergarten|kinderhaus|kinderkrippe|hort\b|børne", "kita"),
    (r"familienzentrum|mehrgenerationen|mütterzentrum|familienzentren", "familienzentrum"),
    (
        r"jugendzentrum|jugendtreff|jugendhaus|jugendfreizeit|jugendcaf|jugendclub"
        r"|haus der jugend|pfadfinder",
        "jugendzentrum",
    ),
    (r"berufsberatung|jobcenter|agentur für arbeit", "beratung_beruf"),
    (r"erziehungsberatung|familienberatung|schwangerschaftsberatung", "beratung_familie"),
    (r"bildungsberatung|lernberatung", "beratung_bildung"),
    (r"förderschule|förderzentrum|föS\b|fös\b|sonderpädagog|schule für", "foerderschule"),
    (r"\bigs\b|\bkgs\b|gesamtschule|igs/fws|gemeinschaftsschule", "gesamtschule"),
    (r"gymnasium|\bgym\b", "gymnasium"),
    (r"oberschule|\bobs\b", "oberschule"),
    (r"realschule", "realschule"),
    (r"hauptschule|mittelschule", "hauptschule"),
    (
        r"berufsbildend|berufsschule|berufsfachschule|fachoberschule|\bbbs\b|\bfos\b",
        "berufsschule",
    ),
    (r"grundschule|volksschule|schulkindergarten|primarstufe", "grundschule"),
    (r"hochschule|universität|university|studierend|hörsaal", "hochschule"),
    (r"kolleg\b|abendgymnasium|weiterbildung|bildungswerk|akademie", "erwachsenenbildung"),
    (r"bibliothek|bücherei|library", "bibliothek"),
    (r"musikschule|music school", "musikschule"),
    (r"schule\b", "schule_sonstige"),
)
_KEYWORD_RES = tuple((re.compile(p), key) for p, key in _KEYWORDS)


def categories_in_text(text: str | None) -> list[str]:
    """Every category key whose keyword rule matches ``text``, in rule order."""
    if not text:
        return []
    low = str(text).lower()
    return [key for rx, key in _KEYWORD_RES if rx.search(low)]


def category_from_text(text: str | None) -> str | None:
    """Guess a category key from free text such as a name or a school type.

    Parameters
    ----------
    text : str or None
        Any label, e.g. ``"Grundschule Ganztagsschule"`` or ``"Kita Sonnenschein"``.

    Returns
    -------
    str or None
        A key of :data:`CATEGORIES`, or ``None`` when no rule matches.
    """
    if not text:
        return None
    low = str(text).lower()
    for rx, key in _KEYWORD_RES:
        if rx.search(low):
            return key
    return None


def resolve_category(value: str | None) -> str | None:
    """Map a key, a German or English label, or free text to a category key.

    Returns ``None`` when nothing fits (the caller rejects the row).
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    low = text.lower()
    for cat in CATEGORIES.values():
        if low in (cat.key, cat.label_de.lower(), cat.label_en.lower()):
            return cat.key
    return category_from_text(text)


# Provider type from an OSM operator:type value or from a provider (Träger) name.
_OPERATOR_TYPES: dict[str, str] = {
    "public": "public",
    "government": "public",
    "municipal": "public",
    "municipality": "public",
    "community": "public",
    "state": "public",
    "religious": "church",
    "church": "church",
    "private_non_profit": "free",
    "non_profit": "free",
    "ngo": "free",
    "association": "free",
    "charitable": "free",
    "cooperative": "free",
    "private": "private",
    "business": "private",
    "private_for_profit": "private",
    "commercial": "private",
}
_PROVIDER_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), t)
    for p, t in (
        (r"\bev\.|evangel|kathol|\bkath\.|kirche|diakon|caritas|pfarr|gemeinde st\.", "church"),
        (r"\bstadt\b|städt|landkreis|\bgemeinde\b|samtgemeinde|\bland\b|staatl|kommun", "public"),
        (r"\bawo\b|\bdrk\b|parität|lebenshilfe|e\.\s?v\.?|\bev$|verein|stiftung|dksb", "free"),
        (r"gmbh|\bag\b|\bug\b|privat|priv\.", "private"),
    )
)


def provider_type_from(value: str | None, *, provider: str | None = None) -> str:
    """``public``, ``church``, ``free``, ``private`` or ``""`` (unknown).

    Parameters
    ----------
    value : str or None
        An OSM ``operator:type`` value or a German word such as ``"kirchlich"``.
    provider : str or None
        The provider name (Träger), used when ``value`` says nothing.
    """
    if value:
        low = str(value).strip().lower()
        if low in _OPERATOR_TYPES:
            return _OPERATOR_TYPES[low]
        if low in PROVIDER_TYPE_WORDS:
            return PROVIDER_TYPE_WORDS[low]
    if provider:
        low = str(provider).lower()
        for rx, kind in _PROVIDER_WORDS:
            if rx.search(low):
                return kind
    return ""


#: German words for provider types as found in municipal lists.
PROVIDER_TYPE_WORDS: dict[str, str] = {
    "öffentlich": "public",
    "kommunal": "public",
    "städtisch": "public",
    "kirchlich": "church",
    "konfessionell": "church",
    "frei": "free",
    "freier träger": "free",
    "gemeinnützig": "free",
    "privat": "private",
    "gewerblich": "private",
}
