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
    # planning page (issue 11)
    "page.planning": ("Planung", "Planning"),
    "plan.header": (
        "Planung: Doppelstrukturen, neue Standorte, Szenarien",
        "Planning: duplicate structures, new sites, scenarios",
    ),
    "plan.intro": (
        "Alle Zahlen rechnen auf dem Straßennetz und den 100-m-Zensuszellen; Schwellen folgen den"
        " Normen mit ihren Quellen.",
        "All figures run on the street network and the 100 m census cells; thresholds follow the "
        "norms with their sources.",
    ),
    "plan.use_norm": ("Schwelle aus der Norm", "Threshold from the norm"),
    "plan.need": ("Bedarfsgewichtung", "Need weighting"),
    "plan.need.none": ("keine (Köpfe)", "none (head count)"),
    "plan.need.census": ("Zensus-Zellmerkmale", "Census cell attributes"),
    "plan.need.district_index": ("Bedarfsindex der Stadtteile", "District need index"),
    "plan.need_missing.census": (
        "Für diese Region liegt keine Zensus-Datei mit Ausländer- und Alleinerziehenden-Zahlen "
        "vor; gerechnet wird ungewichtet.",
        "This region has no census file with foreign-citizen and single-parent counts; the "
        "figures are unweighted.",
    ),
    "plan.need_missing.district_index": (
        "Der Bedarfsindex des Monitorings ist für diese Region nicht verfügbar; gerechnet wird "
        "ungewichtet.",
        "The monitoring's need index is not available for this region; the figures are unweighted.",
    ),
    "plan.need_formula": (
        "Gewicht = min({cap}; max({floor}; 1 + {strength} · z)), z = gewichtetes Mittel der "
        "z-Werte: {parts}. {default} Zellen ohne Wert erhalten Gewicht 1 bzw. den Wert 0.",
        "Weight = min({cap}, max({floor}, 1 + {strength} · z)), z = weighted mean of the "
        "z-scores: {parts}. {default} cells without a value get weight 1 or the value 0.",
    ),
    "plan.need_part": (
        "{key} (β {beta}, Mittel {mean}, SD {sd})",
        "{key} (β {beta}, mean {mean}, SD {sd})",
    ),
    "plan.need_key.foreign": ("Anteil Ausländer/innen", "share of foreign citizens"),
    "plan.need_key.single_parent_households": (
        "Alleinerziehenden-Haushalte je Einwohner",
        "single-parent households per resident",
    ),
    "plan.need_key.district_index": ("Bedarfsindex", "need index"),
    "plan.caveat.census_suppressed_below_3": (
        "Zensus 2011: Zellen mit Werten unter 3 fehlen in der Datei (Geheimhaltung); eine "
        "fehlende Zelle ist 0 oder unterdrückt.",
        "Census 2011: cells with values below 3 are left out (disclosure control); a missing cell"
        " is 0 or suppressed.",
    ),
    "plan.caveat.households_not_persons": (
        "Alleinerziehende zählen als Haushalte, nicht als Personen.",
        "Single parents are counted as households, not persons.",
    ),
    "plan.caveat.district_spread_uniform": (
        "Der Index gilt für den ganzen Stadtteil: jede Zelle eines Stadtteils erhält dasselbe "
        "Gewicht.",
        "The index holds for the whole district: every cell of a district gets the same weight.",
    ),
    "plan.norm_distance": (
        "**Schwelle:** {metres} m Fußweg = {network} Min. im Netz · Quelle: {source}.",
        "**Threshold:** {metres} m on foot = {network} min on the network · Source: {source}.",
    ),
    "plan.norm_minutes": (
        "**Schwelle:** {minutes} Min. = {network} Min. im Netz · Quelle: {source}.",
        "**Threshold:** {minutes} min = {network} min on the network · Source: {source}.",
    ),
    "plan.norm_custom": (
        "**Schwelle:** {minutes} Min. (eigene Wahl) = {network} Min. im Netz.",
        "**Threshold:** {minutes} min (own choice) = {network} min on the network.",
    ),
    "plan.speed_line": (
        "Gehtempo {profile}: {kmh} km/h ({source}).",
        "Walking speed {profile}: {kmh} km/h ({source}).",
    ),
    "plan.speed_rule": (
        "Ein langsameres Gehtempo verkürzt die Schwelle im Netz im Verhältnis der "
        "Geschwindigkeiten (Netz 4,5 km/h); Entfernungsnormen bleiben Entfernungen. Das gilt für "
        "Versorgung, Lücken, What-if und Standortwahl.",
        "A slower walking speed shortens the network threshold by the ratio of the speeds "
        "(network 4.5 km/h); distance norms stay distances. This applies to coverage, gaps, "
        "what-if and site choice.",
    ),
    "plan.profile.adult": ("Erwachsene", "adults"),
    "plan.profile.child": ("Kinder", "children"),
    "plan.profile.senior": ("Ältere", "seniors"),
    "plan.section": ("Bereich", "Section"),
    "plan.tab.duplicates": ("Doppelstrukturen", "Duplicate structures"),
    "plan.tab.sites": ("Neue Standorte", "New sites"),
    "plan.tab.scenarios": ("Szenarien", "Scenarios"),
    "plan.tab.norms": ("Normen", "Norms"),
    "plan.level": ("Überschneidung ab (Paare)", "Overlap from (pairs)"),
    "plan.covered_line": (
        "{covered} von {total} Personen der Zielgruppe erreichen mindestens eines von {offers} "
        "Angeboten.",
        "{covered} of {total} people of the target group reach at least one of {offers} offers.",
    ),
    "plan.dup_table": (
        "Kandidaten für Doppelstrukturen (stärkste zuerst)",
        "Duplicate candidates (strongest first)",
    ),
    "plan.reason": (
        "{share} % der Zielgruppe im Einzugsbereich erreichen auch {partner} in ≤ {minutes} Min.;"
        " Schließung kostet {cost} % Versorgung ({people} Personen).",
        "{share} % of the target group in the catchment also reach {partner} in ≤ {minutes} min; "
        "closing it costs {cost} % coverage ({people} people).",
    ),
    "plan.reason_alone": (
        "Kein anderes Angebot erreicht diese Menschen; Schließung kostet {cost} % Versorgung "
        "({people} Personen).",
        "No other offer reaches these people; closing it costs {cost} % coverage ({people} "
        "people).",
    ),
    "plan.utilisation_note": (
        "Auslastung = erwartete Nachfrage ÷ Plätze, Nachfrage nach {method}; nur für {known} von "
        "{n} Angeboten mit bekannter Platzzahl, sonst „–“ (keine Schätzung).",
        "Utilisation = expected demand ÷ places, demand by {method}; only for {known} of {n} "
        'offers with a known capacity, otherwise "–" (no guess).',
    ),
    "plan.method.huff": (
        "Huff-Modell (gleiche Attraktivität, Stufengewichte)",
        "the Huff model (equal attractiveness, step weights)",
    ),
    "plan.method.e2sfca": ("E2SFCA-Einzugsnachfrage", "E2SFCA catchment demand"),
    "plan.method.greedy": ("Greedy (≥ 63 % des Optimums)", "greedy (≥ 63 % of the optimum)"),
    "plan.method.exact": ("Exakt (MILP, HiGHS)", "Exact (MILP, HiGHS)"),
    "plan.col.rank": ("Rang", "Rank"),
    "plan.col.redundancy": ("Redundanz", "Redundancy"),
    "plan.col.essential": ("Nur hier versorgt", "Covered only here"),
    "plan.col.utilisation": ("Auslastung", "Utilisation"),
    "plan.col.reason": ("Begründung", "Reason"),
    "plan.col.offer_a": ("Angebot A", "Offer A"),
    "plan.col.offer_b": ("Angebot B", "Offer B"),
    "plan.col.overlap": ("Überschneidung", "Overlap"),
    "plan.col.shared": ("Gemeinsam versorgt", "Covered by both"),
    "plan.col.offers": ("Angebote", "Offers"),
    "plan.col.partner_share": ("Kooperationspotenzial", "Cooperation potential"),
    "plan.col.gain": ("Zugewinn (Zielgröße)", "Gain (objective)"),
    "plan.col.gain_people": ("Zugewinn Personen", "Gain people"),
    "plan.col.before": ("Versorgt vorher", "Covered before"),
    "plan.col.after": ("Versorgt nachher", "Covered after"),
    "plan.col.gap": ("Lücke (Personen)", "Gap (people)"),
    "plan.col.e2sfca": ("Plätze je 100 (E2SFCA)", "Places per 100 (E2SFCA)"),
    "plan.col.bfca": ("Plätze je 100 (BFCA, ausgeglichen)", "Places per 100 (BFCA, balanced)"),
    "plan.col.quote": ("Versorgungsquote (Plätze je 100)", "Provision rate (places per 100)"),
    "plan.col.known": ("Platzzahl bekannt", "Capacity known"),
    "plan.col.scenario": ("Szenario", "Scenario"),
    "plan.col.value": ("Wert", "Value"),
    "plan.col.kind": ("Art", "Kind"),
    "plan.col.source": ("Quelle", "Source"),
    "plan.col.edited_by": ("Geändert von", "Edited by"),
    "plan.col.profile": ("Gruppe", "Group"),
    "plan.pairs": ("Paare mit starker Überschneidung", "Pairs with a large overlap"),
    "plan.providers": ("Nach Träger", "By provider"),
    "plan.no_provider": ("(ohne Trägerangabe)", "(no provider given)"),
    "plan.multiplicity": ("Mehrfachversorgung je Zelle", "Coverage multiplicity per cell"),
    "plan.multiplicity_label": ("erreichbare Angebote", "offers within reach"),
    "plan.k": ("Anzahl neuer Standorte", "Number of new sites"),
    "plan.capacity": (
        "Plätze je neuem Standort (0 = unbegrenzt)",
        "Places per new site (0 = unlimited)",
    ),
    "plan.candidates": ("Kandidaten", "Candidates"),
    "plan.candidates.cells": ("bewohnte Zellen am Netz", "populated cells on the network"),
    "plan.candidates.upload": ("eigene Liste (CSV/GeoJSON)", "own list (CSV/GeoJSON)"),
    "plan.candidates.clicks": ("Punkte auf der Karte", "points on the map"),
    "plan.upload": (
        "Flächenliste mit lon/lat oder GeoJSON",
        "List of sites with lon/lat, or GeoJSON",
    ),
    "plan.click_hint": (
        "Klicken Sie Kandidaten in die Karte ({n} gesetzt).",
        "Click candidates on the map ({n} placed).",
    ),
    "plan.clear_clicks": ("Punkte löschen", "Clear points"),
    "plan.no_candidates": ("Noch keine Kandidaten.", "No candidates yet."),
    "plan.exact_start": ("Exakt lösen", "Solve exactly"),
    "plan.exact_cancel": ("Abbrechen", "Cancel"),
    "plan.exact_cancelled": (
        "Die exakte Lösung wurde abgebrochen.",
        "The exact solve was cancelled.",
    ),
    "plan.exact_running": (
        "Exakte Lösung läuft: {seconds} s von höchstens {limit} s",
        "Exact solve running: {seconds} s of at most {limit} s",
    ),
    "plan.exact_done": (
        "Exakte Lösung: Optimalitätslücke {gap} %, {seconds} s.",
        "Exact solution: optimality gap {gap} %, {seconds} s.",
    ),
    "plan.objective.people": ("Ziel: Personen", "Objective: people"),
    "plan.objective.need": ("Ziel: bedarfsgewichtet", "Objective: need-weighted"),
    "plan.before_after": (
        "Versorgt vorher {before}, nachher {after} von {total} Personen · {method}",
        "Covered before {before}, after {after} of {total} people · {method}",
    ),
    "plan.by_district": ("Zugewinn nach Stadtteil", "Gain by district"),
    "plan.take_over": ("Als What-if übernehmen", "Take over as what-if"),
    "plan.proposal": ("Vorschlag {n}", "Proposal {n}"),
    "plan.proposals": ("Vorgeschlagene Standorte", "Proposed sites"),
    "plan.draft_name": ("Entwurf aus Standortvorschlag", "Draft from site proposal"),
    "plan.current": ("Bestand", "Current"),
    "plan.capacity_rule": ("Unbekannte Platzzahlen", "Unknown capacities"),
    "plan.rule.exclude": ("nicht mitzählen (Untergrenze)", "leave out (lower bound)"),
    "plan.rule.median": (
        "unbekannte = Median der bekannten ({places} Plätze)",
        "unknown = median of the known ones ({places} places)",
    ),
    "plan.rule.one": ("= 1 Platz (alte Zählung)", "= 1 place (legacy count)"),
    "plan.capacity_known": (
        "Platzzahl bekannt für {known} von {n} Angeboten ({share} %); Median der bekannten: "
        "{median} Plätze.",
        "Capacity known for {known} of {n} offers ({share} %); median of the known ones: {median}"
        " places.",
    ),
    "plan.scenario_name": ("Name des Szenarios", "Scenario name"),
    "plan.save": ("Szenario speichern", "Save scenario"),
    "plan.saved": (
        "Gespeichert: {name} (Version {version}).",
        "Saved: {name} (version {version}).",
    ),
    "plan.sign_in_to_save": (
        "Zum Speichern unter „Daten“ als Planer/in anmelden.",
        'Sign in as a planner on "Data" to save.',
    ),
    "plan.sign_in_to_edit": (
        "Normen ändern nur angemeldete Planer/innen (Seite „Daten“).",
        'Only signed-in planners change norms ("Data" page).',
    ),
    "plan.compare_pick": ("Gespeicherte Szenarien vergleichen", "Compare saved scenarios"),
    "plan.compare_need_two": (
        "Für einen Vergleich mindestens ein Szenario wählen oder übernehmen.",
        "Pick or take over at least one scenario to compare.",
    ),
    "plan.compare": ("Szenarien im Vergleich", "Scenarios compared"),
    "plan.compare_note": (
        "Versorgung und Lücke bei der gewählten Schwelle; E2SFCA-Einzugsbereich = Schwelle "
        "({catchment} Min. im Netz); unbekannte Platzzahlen: {rule}.",
        "Coverage and gap at the chosen threshold; E2SFCA catchment = threshold ({catchment} "
        "network min); unknown capacities: {rule}.",
    ),
    "plan.scenario_line": (
        "**{name}**: {share} % versorgt, Lücke {gap} Personen",
        "**{name}**: {share} % covered, gap {gap} people",
    ),
    "plan.gap_by_district": ("Lücke (Personen) nach Stadtteil", "Gap (people) by district"),
    "plan.export_json": ("Szenarien als JSON", "Scenarios as JSON"),
    "plan.print": ("Druckansicht (HTML)", "Print view (HTML)"),
    "plan.history": ("Versionen von {name}", "Versions of {name}"),
    "plan.kind.guide": ("Richtwert", "guide value"),
    "plan.kind.court": ("Rechtsprechung", "case law"),
    "plan.kind.statute": ("Satzung (Wert eintragen)", "statute (enter the value)"),
    "plan.kind.assumption": ("Annahme", "assumption"),
    "plan.unit": ("Einheit", "Unit"),
    "plan.save_norm": ("Norm speichern", "Save norm"),
    "plan.norm_saved": ("Norm gespeichert.", "Norm saved."),
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
    "common.hours_unknown": ("Öffnungszeiten unbekannt", "Opening hours unknown"),
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
    "start.no_age_groups": (
        "Die Zensusdaten dieser Region enthalten keine Altersgruppen.",
        "The census data of this region hold no age groups.",
    ),
    "common.no_network": (
        "**{region} hat noch kein Straßennetz.** Fahr- und Gehzeiten lassen sich deshalb "
        "nicht berechnen; Entfernungen wären nur Luftlinie. So fügen Sie eines hinzu: einen "
        "OpenStreetMap-Auszug (`.osm.pbf`) der Stadt in den Datenordner legen, in "
        '`{manifest}` unter `[network]` als `osm = "…"` eintragen und '
        "`python -m geo build {slug}` ausführen. Bezirke, Angebote und Kennzahlen "
        "(Seiten „Start“ und „Daten“) funktionieren schon jetzt.",
        "**{region} has no street network yet.** Travel times cannot be computed; distances "
        "would only be straight lines. To add one: put an OpenStreetMap extract (`.osm.pbf`) "
        "of the city into the data folder, name it in `{manifest}` under `[network]` as "
        '`osm = "…"` and run `python -m geo build {slug}`. Districts, offers and '
        "indicators (pages “Start” and “Data”) work already.",
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
