"""Writes the bad-input corpus of the monitor tests (run once; the files are committed).

``python tests/monitor/corpus/make_corpus.py`` — the CSV files are written by hand-kept
strings below, the XLSX files with openpyxl; ``formeln.xlsx`` then gets a cached result
for one of its two formulas (as a spreadsheet program would store it), so the import
can show both cases.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

CSV: dict[str, tuple[str, str]] = {
    "ausgefranst.csv": (
        "utf-8",
        "Stadtteil;Jahr;Einwohner;Kinder\n"
        "Altstadt;2022;3807;403\n"
        "Neustadt;2022;5000\n"
        "Nordstadt;2022;14000;2146;99\n"
        "Westliche Höhe;2022;8000;1243\n",
    ),
    "jahr_als_text.csv": (
        "utf-8",
        "Stadtteil;Jahr;Einwohner\n"
        "Altstadt;2021;3800\n"
        "Altstadt;zweitausendzweiundzwanzig;3807\n"
        "Neustadt;2022;5000\n",
    ),
    "doppelte_werte.csv": (
        "utf-8",
        "Gebiet;Jahr;Indikator;Wert\n"
        "Altstadt;2022;Einwohner;3807\n"
        "Altstadt;2022;Einwohner;3900\n"
        "Neustadt;2022;Einwohner;5000\n"
        "Neustadt;2022;Einwohner;5000\n"
        "Tarup;2022;Einwohner;7000\n",
    ),
    "negative_anzahl.csv": (
        "utf-8",
        "Stadtteil;Jahr;Einwohner\nAltstadt;2022;3807\nNeustadt;2022;-5\n",
    ),
    "prozent_ueber_100.csv": (
        "utf-8",
        "Stadtteil;Jahr;Anteil unter 18 (%)\nAltstadt;2022;10,6\nNeustadt;2022;112,5\n",
    ),
    "dezimal_gemischt.csv": (
        "cp1252",
        "Stadtteil;Jahr;Fläche ha;Einwohner\n"
        "Altstadt;2022;12,5;1.234\n"
        "Neustadt;2022;13.5;2.500\n"
        "Nordstadt;2022;1.234;14.000\n",
    ),
    "marker.csv": (
        "utf-8",
        "Stadtteil;Jahr;Einwohner;Empfänger\n"
        "Altstadt;2022;3.807;.\n"
        "Neustadt;2022;5000;-\n"
        "Nordstadt;2022;14000;–\n"
        "Westliche Höhe;2022;8000;x\n"
        "Friesischer Berg;2022;6000;*\n"
        "Weiche;2022;7000;/\n"
        "Südstadt;2022;4000;<4\n"
        "Sandberg;2022;5500;k. A.\n"
        "Jürgensby;2022;9000;\n",
    ),
    "titel_und_fussnote.csv": (
        "utf-8",
        "Bevölkerung in den Stadtteilen 2022\n"
        "\n"
        "Stadtteil,Jahr,Einwohner\n"
        '01 Altstadt,2022,"3,807"\n'
        "STGT02,2022,5000\n"
        "Gesamt,2022,99341\n"
        "Quelle: Statistikstelle der Stadt Flensburg\n",
    ),
    "gebiete_unbekannt.csv": (
        "utf-8",
        "Stadtteil;Jahr;Einwohner\n"
        "Westlich Höhe;2022;8000\n"
        "Mürwik;2022;17000\n"
        "Flensburg;2022;99341\n",
    ),
    "flaeche_jahre.csv": (
        "utf-8",
        "Stadtteil;2020;2021;2022\nAltstadt;3800;3815;3807\n4;7900;8000;8100\n",
    ),
}


def merged_header() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bevölkerung"
    ws["A1"] = "Bevölkerung nach Stadtteilen"
    ws.merge_cells("A1:E1")
    ws["A2"] = "Stadtteil"
    ws.merge_cells("A2:A3")
    ws["B2"] = "Einwohner"
    ws.merge_cells("B2:C2")
    ws["D2"] = "Kinder unter 18"
    ws.merge_cells("D2:E2")
    for col, year in zip("BCDE", (2021, 2022, 2021, 2022), strict=True):
        ws[f"{col}3"] = year
    rows = [
        ("Altstadt", 3800, 3807, 360, 403),
        ("Neustadt", 4990, 5010, 745, 793),
        ("Tarup", 6900, 7000, 1244, 1232),
    ]
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=v)
    ws["A9"] = "Quelle: Statistikstelle"
    wb.save(HERE / "verbundene_kopfzeilen.xlsx")


def formulas() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daten"
    ws.append(["Stadtteil", "Jahr", "Einwohner", "Kinder"])
    ws.append(["Altstadt", 2022, 3807, 403])
    ws.append(["Neustadt", 2022, "=1000*5", "=400+393"])
    tmp = Path(tempfile.mkdtemp()) / "f.xlsx"
    wb.save(tmp)
    # store a cached result for the first formula only, as a spreadsheet program would
    out = HERE / "formeln.xlsx"
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(r"<f>1000\*5</f><v\s*/>", "<f>1000*5</f><v>5000</v>", text)
                data = text.encode()
            zout.writestr(item, data)
    shutil.rmtree(tmp.parent)


def empty_sheet() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Leer"
    ws = wb.create_sheet("Daten")
    ws.append(["Stadtteil", "Jahr", "Einwohner"])
    ws.append(["Altstadt", 2022, 3807])
    ws.append(["Neustadt", 2022, 5010])
    wb.save(HERE / "leeres_blatt.xlsx")


def main() -> None:
    for name, (encoding, text) in CSV.items():
        (HERE / name).write_bytes(text.encode(encoding))
    merged_header()
    formulas()
    empty_sheet()


if __name__ == "__main__":
    main()
