"""Every text the app shows, in German (default) and English.

Pages never write visible text literally: they call :func:`t` with a key. Keys are
grouped by page (``find.*``, ``cov.*``, ...). Placeholders use ``str.format`` syntax.
"""

from __future__ import annotations

from typing import Any

LANGS: tuple[str, ...] = ("de", "en")
DEFAULT_LANG = "de"

#: key -> (German, English)
TEXTS: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("Bildungslandkarte", "Education map"),
    "app.language": ("Sprache / Language", "Language / Sprache"),
    "lang.de": ("Deutsch", "Deutsch"),
    "lang.en": ("English", "English"),
    "app.region": ("Region", "Region"),
    "app.loading_region": ("Region {name} wird vorbereitet …", "Preparing region {name} …"),
    "app.building_region": (
        "Erster Start: Region {name} wird aus den Rohdaten gebaut ({pct} %): {message}",
        "First start: building region {name} from the raw data ({pct} %): {message}",
    ),
    "app.error": (
        "Hier ist leider etwas schiefgegangen. Bitte laden Sie die Seite neu oder wählen Sie "
        "andere Einstellungen. Der Fehler wurde protokolliert.",
        "Sorry, something went wrong here. Please reload the page or choose other settings. "
        "The error has been logged.",
    ),
    "app.input_error": (
        "Die Eingangsdaten der Region sind fehlerhaft: {reason}",
        "The region's input data has a problem: {reason}",
    ),
    "app.sources": ("Datenquellen", "Data sources"),
    "app.attribution": (
        "© OpenStreetMap contributors (ODbL) · © Statistisches Bundesamt (Destatis), Zensus 2011 "
        "(dl-de/by-2-0)",
        "© OpenStreetMap contributors (ODbL) · © Federal Statistical Office (Destatis), "
        "Census 2011 (dl-de/by-2-0)",
    ),
    "app.source_line": ("{title} ({date}): {attribution}", "{title} ({date}): {attribution}"),
    # page titles
    "page.start": ("Start", "Start"),
    "page.find": ("Angebote finden", "Find offers"),
    "page.coverage": ("Versorgung & Lücken", "Coverage & gaps"),
    "page.advice": ("Beratung", "Counselling"),
    "page.data": ("Daten", "Data"),
    # modes and common controls
    "mode.walk": ("Fußweg", "Walking"),
    "mode.bike": ("Fahrrad", "Bicycle"),
    "mode.drive": ("Auto", "Car"),
    "common.mode": ("Verkehrsmittel", "Mode of travel"),
    "common.budget": ("Zeitbudget (Minuten)", "Time budget (minutes)"),
    "common.minutes": ("Minuten", "minutes"),
    "common.min_short": ("Min.", "min"),
    "common.category": ("Kategorie", "Category"),
    "common.categories": ("Kategorien", "Categories"),
    "common.age": ("Alter (Jahre)", "Age (years)"),
    "common.languages": ("Sprachen", "Languages"),
    "common.topics": ("Themen", "Topics"),
    "common.wheelchair": ("Barrierefrei (rollstuhlgerecht)", "Barrier-free (wheelchair access)"),
    "common.open_now": ("Jetzt geöffnet", "Open now"),
    "common.address": ("Adresse", "Address"),
    "common.address_help": (
        "Straße und Hausnummer, z. B. „Porschestraße 1“; oder auf die Karte klicken.",
        "Street and house number, e.g. “Porschestraße 1”; or click on the map.",
    ),
    "common.suggestions": ("Vorschläge", "Suggestions"),
    "common.no_suggestions": (
        "Keine passende Adresse gefunden. Prüfen Sie die Schreibweise oder klicken Sie auf die "
        "Karte.",
        "No matching address. Check the spelling or click on the map.",
    ),
    "common.map_click_origin": ("Punkt auf der Karte", "Point on the map"),
    "common.outside": (
        "Dieser Punkt liegt außerhalb der Region oder zu weit von einer Straße entfernt. Bitte "
        "wählen Sie einen Ort innerhalb von {region}.",
        "This point lies outside the region or too far from a street. Please choose a place "
        "inside {region}.",
    ),
    "common.not_found": (
        "Die Adresse „{query}“ wurde nicht gefunden. Versuchen Sie nur den Straßennamen, eine "
        "andere Schreibweise oder klicken Sie auf die Karte.",
        "The address “{query}” was not found. Try only the street name, another spelling, or "
        "click on the map.",
    ),
    "common.name": ("Name", "Name"),
    "common.provider": ("Träger", "Provider"),
    "common.places": ("Plätze", "Places"),
    "common.free_places": ("Freie Plätze", "Free places"),
    "common.hours": ("Öffnungszeiten", "Opening hours"),
    "geocode.housenumber_not_found": (
        "{label} (Hausnummer {value} nicht gefunden, Straße gezeigt)",
        "{label} (house number {value} not found, showing the street)",
    ),
    "common.phone": ("Telefon", "Phone"),
    "common.email": ("E-Mail", "E-mail"),
    "common.website": ("Webseite", "Website"),
    "common.district": ("Ortsteil", "District"),
    "common.districts": ("Ortsteile", "Districts"),
    "common.population": ("Einwohner", "Residents"),
    "common.yes": ("ja", "yes"),
    "common.no": ("nein", "no"),
    "common.unknown": ("unbekannt", "unknown"),
    "common.download_csv": ("CSV herunterladen", "Download CSV"),
    "common.download_xlsx": ("XLSX herunterladen", "Download XLSX"),
    "common.total": ("Gesamt", "Total"),
    "common.any": ("alle", "all"),
    "common.choose": ("Bitte auswählen", "Choose"),
    # start page
    "start.intro": (
        "Die Bildungslandkarte zeigt Bildungsangebote von der Kita bis zur Volkshochschule, wie "
        "gut sie erreichbar sind und wo Angebote fehlen – auch ohne Internetverbindung.",
        "The education map shows learning offers from daycare to adult education, how well they "
        "can be reached and where offers are missing – even without an internet connection.",
    ),
    "start.offers_by_cat": ("Angebote nach Kategorie", "Offers by category"),
    "start.pop_by_age": ("Bevölkerung nach Altersgruppe", "Population by age group"),
    "start.age_group": ("Altersgruppe", "Age group"),
    "start.count": ("Anzahl", "Count"),
    "start.n_offers": ("Angebote", "Offers"),
    "start.n_districts": ("Ortsteile", "Districts"),
    "start.n_population": ("Einwohner (Zensus 2011)", "Residents (Census 2011)"),
    "start.estimated": ("Geschätzte Altersgruppen", "Estimated age groups"),
    "start.ways_in": ("Drei Wege in die Karte", "Three ways into the map"),
    "start.way_find": (
        "**Angebote finden** – für Bürgerinnen und Bürger: Was erreiche ich von meiner Adresse?",
        "**Find offers** – for citizens: what can I reach from my address?",
    ),
    "start.way_cov": (
        "**Versorgung & Lücken** – für die Planung: Wo fehlen Plätze, wer wohnt zu weit weg?",
        "**Coverage & gaps** – for planners: where are places missing, who lives too far away?",
    ),
    "start.way_adv": (
        "**Beratung** – für Beratende: eine Auswahl passender Angebote zum Mitnehmen.",
        "**Counselling** – for counsellors: a shortlist of suitable offers to take home.",
    ),
    "start.no_districts": (
        "Für diese Region sind keine Ortsteile hinterlegt; Auswertungen nutzen das 100-m-Gitter.",
        "This region has no districts; analyses use the 100 m grid.",
    ),
    # find page
    "find.header": ("Angebote in meiner Nähe finden", "Find offers near me"),
    "find.filters": ("Filter", "Filters"),
    "find.age_any": ("Alter egal", "Any age"),
    "find.pick_origin": (
        "Geben Sie eine Adresse ein oder klicken Sie auf die Karte, um zu starten.",
        "Enter an address or click on the map to start.",
    ),
    "find.origin": ("Start: {label}", "Start: {label}"),
    "find.results": (
        "{n} Angebote in {minutes} Minuten ({mode})",
        "{n} offers within {minutes} minutes ({mode})",
    ),
    "find.none": (
        "Keine Angebote in {minutes} Minuten gefunden. Erhöhen Sie das Zeitbudget, wählen Sie "
        "ein anderes Verkehrsmittel oder lockern Sie die Filter.",
        "No offers found within {minutes} minutes. Increase the time budget, choose another mode "
        "or relax the filters.",
    ),
    "find.rank": ("Rang", "Rank"),
    "find.travel": ("Fahrzeit (Min.)", "Travel time (min)"),
    "find.walk_distance": ("Luftlinie (m)", "Straight-line distance (m)"),
    "find.details": ("Details zu einem Angebot", "Details of an offer"),
    "find.pick_offer": ("Angebot auswählen", "Choose an offer"),
    "find.share": (
        "Die Adresszeile des Browsers enthält diese Ansicht – kopieren Sie sie zum Teilen.",
        "The browser's address bar holds this view – copy it to share.",
    ),
    "find.start_layer": ("Start", "Start"),
    "find.isochrones": ("Einzugsbereich", "Catchment area"),
    "find.band_pop": (
        "{minutes} Min.: {area} km², {pop} Einwohner",
        "{minutes} min: {area} km², {pop} residents",
    ),
    "find.age_range": ("Alter {lo}–{hi} Jahre", "Ages {lo}–{hi}"),
    "find.address_line": ("Adresse", "Address"),
    # coverage page
    "cov.header": ("Versorgung & Lücken", "Coverage & gaps"),
    "cov.target_groups": ("Zielgruppe (Altersgruppen)", "Target group (age groups)"),
    "cov.threshold": ("Schwelle (Minuten)", "Threshold (minutes)"),
    "cov.metric": ("Kennzahl auf der Karte", "Measure on the map"),
    "cov.metric.share": ("Anteil versorgt (%)", "Share covered (%)"),
    "cov.metric.supply": (
        "Plätze je 100 der Zielgruppe (E2SFCA)",
        "Places per 100 of the target group (E2SFCA)",
    ),
    "cov.metric.population": ("Zielgruppe (Einwohner)", "Target group (residents)"),
    "cov.metric.median": ("Median Fahrzeit (Min.)", "Median travel time (min)"),
    "cov.unit.share": ("%", "%"),
    "cov.unit.supply": ("Plätze je 100 Personen der Zielgruppe", "places per 100 target residents"),
    "cov.unit.population": ("Personen", "people"),
    "cov.unit.median": ("Minuten", "minutes"),
    "cov.gaps": ("Unterversorgte 100-m-Zellen", "Underserved 100 m cells"),
    "cov.gap_people": ("Betroffene der Zielgruppe", "Target group affected"),
    "cov.show_gaps": ("Lücken-Layer zeigen", "Show the gap layer"),
    "cov.table": ("Ortsteile im Vergleich", "Districts compared"),
    "cov.total_line": (
        "Insgesamt erreichen {share} % der Zielgruppe ({covered} von {population}) ein "
        "Angebot in {threshold} Minuten ({mode}).",
        "Overall {share} % of the target group ({covered} of {population}) reach an offer "
        "within {threshold} minutes ({mode}).",
    ),
    "cov.no_offers": (
        "In dieser Kategorie gibt es keine Angebote in der Region. Wählen Sie eine andere "
        "Kategorie oder importieren Sie Angebote auf der Seite „Daten“.",
        "There are no offers of this category in the region. Choose another category or import "
        "offers on the “Data” page.",
    ),
    "cov.capacity_known": (
        "Plätze je 100 Personen (E2SFCA, Einzugsbereich in Stufen bis {steps} Min.) beruhen "
        "auf bekannten Platzzahlen für {known} von {n} Angeboten ({share} %). {unknown} ohne "
        "Angabe zählen hier als 1 Platz; eine ausdrückliche Annahme (z. B. Median der "
        "bekannten) und die ausgeglichene Variante BFCA bietet die Seite „Planung“.",
        "Places per 100 people (E2SFCA, catchment in steps up to {steps} min) rest on known "
        "capacities for {known} of {n} offers ({share} %). {unknown} without one count as 1 "
        "place here; an explicit assumption (e.g. the median of the known ones) and the "
        'balanced BFCA are on the "Planning" page.',
    ),
    "cov.capacity_low": (
        "Weniger als {level} % der Platzzahlen sind bekannt: Die Versorgungszahlen sind grau "
        "dargestellt und nur eingeschränkt aussagekräftig. Tragen Sie Platzzahlen unter "
        "„Daten“ nach.",
        "Fewer than {level} % of the capacities are known: the supply figures are greyed out "
        'and of limited meaning. Add capacities on the "Data" page.',
    ),
    "cov.col.population": ("Zielgruppe", "Target group"),
    "cov.col.covered": ("Versorgt", "Covered"),
    "cov.col.share": ("Anteil versorgt (%)", "Share covered (%)"),
    "cov.col.median": ("Median (Min.)", "Median (min)"),
    "cov.col.supply": ("Plätze je 100 Personen", "Places per 100 people"),
    "cov.whatif": ("Was wäre, wenn …", "What if …"),
    "cov.whatif_on": ("Planungsmodus (Was-wäre-wenn)", "Planning mode (what-if)"),
    "cov.whatif_action": ("Aktion", "Action"),
    "cov.whatif_add": (
        "Geplantes Angebot setzen (Klick auf die Karte)",
        "Place a planned offer (click on the map)",
    ),
    "cov.whatif_remove": ("Bestehendes Angebot entfernen", "Remove an existing offer"),
    "cov.whatif_capacity": ("Plätze des geplanten Angebots", "Places of the planned offer"),
    "cov.whatif_pick_remove": ("Angebot zum Entfernen", "Offer to remove"),
    "cov.whatif_click": (
        "Klicken Sie auf die Karte, um das geplante Angebot zu setzen.",
        "Click on the map to place the planned offer.",
    ),
    "cov.whatif_reset": ("Planung zurücksetzen", "Reset the plan"),
    "cov.whatif_result": ("Veränderung je Ortsteil", "Change per district"),
    "cov.whatif_total": (
        "Anteil versorgt insgesamt: {before} % → {after} % ({delta} Prozentpunkte)",
        "Share covered overall: {before} % → {after} % ({delta} percentage points)",
    ),
    "cov.col.share_before": ("Anteil vorher (%)", "Share before (%)"),
    "cov.col.share_after": ("Anteil nachher (%)", "Share after (%)"),
    "cov.col.share_delta": ("Δ Anteil (Prozentpunkte)", "Δ share (percentage points)"),
    "cov.col.supply_before": ("Plätze je 100 vorher", "Places per 100 before"),
    "cov.col.supply_after": ("Plätze je 100 nachher", "Places per 100 after"),
    "cov.col.supply_delta": ("Δ Plätze je 100", "Δ places per 100"),
    "cov.whatif_outside": (
        "Das geplante Angebot wurde nicht übernommen: Der Punkt liegt außerhalb von {region} "
        "oder mehr als 500 m von einer Straße entfernt. Klicken Sie näher an eine Straße "
        "innerhalb der Region – oder setzen Sie die Planung zurück.",
        "The planned offer was not added: the point lies outside {region} or more than 500 m "
        "from a street. Click closer to a street inside the region – or reset the plan.",
    ),
    "cov.planned": ("Geplantes Angebot", "Planned offer"),
    "cov.no_districts": (
        "Für diese Region sind keine Ortsteile hinterlegt. Die Karte zeigt daher die "
        "unterversorgten 100-m-Zellen, die Tabelle die Werte der ganzen Region.",
        "This region has no districts. The map therefore shows the underserved 100 m cells, "
        "the table the figures of the whole region.",
    ),
    "cov.table_total": ("Region insgesamt", "Whole region"),
    "cov.region_total": ("Region insgesamt", "Whole region"),
    # advice page
    "adv.header": ("Beratung", "Counselling"),
    "adv.privacy": (
        "Es werden keine Angaben über die beratene Person gespeichert oder protokolliert. Beim "
        "Schließen der Seite ist alles weg.",
        "Nothing about the client is stored or logged. Closing the page removes everything.",
    ),
    "adv.profile": ("Profil", "Profile"),
    "adv.interests": ("Interessen (Bereiche)", "Interests (areas)"),
    "adv.shortlist": ("Passende Angebote", "Matching offers"),
    "adv.reasons": ("Gründe", "Reasons"),
    "adv.score": ("Passung", "Match"),
    "adv.pick": ("Für das Handout auswählen", "Choose for the handout"),
    "adv.handout": ("Handout", "Handout"),
    "adv.print_view": ("Druckansicht", "Print view"),
    "adv.pdf": ("PDF herunterladen", "Download PDF"),
    "adv.html": ("Druckansicht herunterladen (HTML)", "Download print view (HTML)"),
    "adv.none": (
        "Keine passenden Angebote im Zeitbudget. Erhöhen Sie das Zeitbudget oder lassen Sie "
        "Themen und Sprachen weg.",
        "No matching offers within the time budget. Increase the time budget or leave out "
        "topics and languages.",
    ),
    "adv.start_needed": (
        "Geben Sie eine Startadresse ein, um Fahrzeiten zu berechnen.",
        "Enter a starting address to compute travel times.",
    ),
    "adv.pick_some": (
        "Wählen Sie Angebote aus der Liste, um ein Handout zu erstellen.",
        "Choose offers from the list to create a handout.",
    ),
    "adv.summary": (
        "Alter {age}, {mode}, bis {budget} Min.",
        "Age {age}, {mode}, up to {budget} min",
    ),
    # data page
    "data.header": ("Daten pflegen", "Maintain data"),
    "data.disabled": (
        "Die Bearbeitung ist nicht eingerichtet. So schalten Sie sie frei:\n\n"
        '1. Passwort-Hash erzeugen: `python -c "import bcrypt; '
        "print(bcrypt.hashpw(b'IHR-PASSWORT', bcrypt.gensalt()).decode())\"`\n"
        "2. Den Hash in `.streamlit/secrets.toml` eintragen (oder als Umgebungsvariable "
        "`BLK_PLANNER_PASSWORD_HASH` setzen):\n\n"
        '```toml\n[auth]\nplanner_password_hash = "$2b$12$..."\n```\n\n'
        "3. Die App neu starten.",
        "Editing is not set up. To enable it:\n\n"
        '1. Create a password hash: `python -c "import bcrypt; '
        "print(bcrypt.hashpw(b'YOUR-PASSWORD', bcrypt.gensalt()).decode())\"`\n"
        "2. Put the hash into `.streamlit/secrets.toml` (or set the environment variable "
        "`BLK_PLANNER_PASSWORD_HASH`):\n\n"
        '```toml\n[auth]\nplanner_password_hash = "$2b$12$..."\n```\n\n'
        "3. Restart the app.",
    ),
    "data.signin": ("Anmelden für Planerinnen und Planer", "Sign in for planners"),
    "data.user": ("Ihr Name (für den Änderungsverlauf)", "Your name (for the change history)"),
    "data.password": ("Passwort", "Password"),
    "data.signin_button": ("Anmelden", "Sign in"),
    "data.signout": ("Abmelden", "Sign out"),
    "data.wrong_password": (
        "Das Passwort ist falsch. Bitte erneut versuchen.",
        "Wrong password. Please try again.",
    ),
    "data.signed_in": ("Angemeldet als {user}", "Signed in as {user}"),
    "data.tab_import": ("Import", "Import"),
    "data.tab_edit": ("Bearbeiten", "Edit"),
    "data.tab_history": ("Änderungsverlauf", "Change history"),
    "data.upload": (
        "Datei mit Angeboten (CSV, XLSX, GeoJSON, GeoPackage)",
        "File with offers (CSV, XLSX, GeoJSON, GeoPackage)",
    ),
    "data.default_category": (
        "Kategorie für Zeilen ohne Kategorie",
        "Category for rows without one",
    ),
    "data.from_file": ("aus der Datei", "from the file"),
    "data.import_button": ("Importieren", "Import"),
    "data.report": ("Importbericht", "Import report"),
    "data.rows_read": ("Zeilen gelesen", "Rows read"),
    "data.imported": ("Übernommen", "Imported"),
    "data.updated": ("Aktualisiert", "Updated"),
    "data.unchanged": ("Unverändert", "Unchanged"),
    "data.rejected": ("Abgelehnt", "Rejected"),
    "data.duplicates": ("Duplikate zusammengeführt", "Duplicates merged"),
    "data.merges": (
        "Entscheidungen der Duplikatregel ({n})",
        "Decisions of the duplicate rule ({n})",
    ),
    "data.rejected_download": (
        "Abgelehnte Zeilen herunterladen (CSV)",
        "Download rejected rows (CSV)",
    ),
    "data.import_failed": (
        "Die Datei konnte nicht gelesen werden: {reason}",
        "The file could not be read: {reason}",
    ),
    "data.pick_offer": ("Angebot auswählen", "Choose an offer"),
    "data.save": ("Änderungen speichern", "Save changes"),
    "data.saved": ("Gespeichert.", "Saved."),
    "data.delete": ("Angebot entfernen", "Remove offer"),
    "data.confirm_delete": ("Ja, dieses Angebot entfernen", "Yes, remove this offer"),
    "data.deleted": ("Entfernt.", "Removed."),
    "data.no_changes": ("Keine Änderungen.", "No changes."),
    "data.history_empty": ("Noch keine Änderungen.", "No changes yet."),
    "data.invalid": ("Ungültige Eingabe: {reason}", "Invalid input: {reason}"),
    "data.search": ("Suche nach Name", "Search by name"),
    "data.export_csv": ("Katalog als CSV", "Catalogue as CSV"),
    "data.export_xlsx": ("Katalog als XLSX", "Catalogue as XLSX"),
    "data.state_at": ("Stand nach Änderung Nr.", "State after change no."),
    "data.show_state": ("Diesen Stand anzeigen", "Show this state"),
    "data.col.change_id": ("Nr.", "No."),
    "data.col.ts": ("Zeitpunkt", "Time"),
    "data.col.user": ("Von", "By"),
    "data.col.source": ("Quelle", "Source"),
    "data.col.offer_id": ("Angebots-ID", "Offer id"),
    "data.col.action": ("Aktion", "Action"),
    # offer fields (edit form)
    "field.name": ("Name", "Name"),
    "field.provider": ("Träger", "Provider"),
    "field.street": ("Straße", "Street"),
    "field.housenumber": ("Hausnummer", "House number"),
    "field.postcode": ("PLZ", "Postcode"),
    "field.city": ("Ort", "Town"),
    "field.phone": ("Telefon", "Phone"),
    "field.email": ("E-Mail", "E-mail"),
    "field.website": ("Webseite", "Website"),
    "field.opening_hours": ("Öffnungszeiten (OSM-Syntax)", "Opening hours (OSM syntax)"),
    "field.fees": ("Gebühren", "Fees"),
    "start.src_title": ("Titel", "Title"),
    "start.src_date": ("Stand", "Date"),
    "start.src_attr": ("Quelle und Lizenz", "Source and licence"),
}


def t(key: str, lang: str, /, **values: Any) -> str:
    """Return the text ``key`` in ``lang`` with ``values`` filled in.

    Parameters
    ----------
    key : str
        A key of :data:`TEXTS`.
    lang : str
        ``"de"`` or ``"en"``; anything else falls back to German.
    **values
        Placeholders for ``str.format``.

    Raises
    ------
    KeyError
        When the key does not exist (a programming error, caught by tests).
    """
    de, en = TEXTS[key]
    text = en if lang == "en" else de
    return text.format(**values) if values else text


def fmt_number(value: float, lang: str, /, *, decimals: int = 0) -> str:
    """Format a number the way readers of ``lang`` expect (German: ``1.234,5``).

    The one formatter is :func:`layers.text.format_number`; this keeps the pages' call style.
    """
    from layers.text import format_number

    return format_number(value, lang=lang, decimals=decimals)
