"""Offline assets: every URL a map needs is served by the app itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import branca
import folium
import folium.plugins
import pytest

from geo.settings import REPO_ROOT
from layers import assets
from layers.assets import (
    LOCAL_CSS,
    LOCAL_JS,
    OfflineAssetError,
    external_urls,
    finish_map,
    install,
    localize,
    new_map,
)
from tests.layers.helpers import CENTRE_LONLAT

LATLON = (CENTRE_LONLAT[1], CENTRE_LONLAT[0])
NODE_MODULES = REPO_ROOT / "node_modules"


def _page_urls(m: folium.Map) -> set[str]:
    page = m.get_root().render()
    return set(re.findall(r'(?:src|href)="([^"]+)"', page))


def test_new_map_loads_only_local_files() -> None:
    m = new_map(location=LATLON, zoom_start=13, tiles=None)
    cluster = folium.plugins.MarkerCluster(name="c").add_to(m)
    folium.Marker(LATLON, icon=folium.Icon(icon="child", prefix="fa")).add_to(cluster)
    finish_map(m)
    urls = _page_urls(m)
    assert urls, "the page should link its scripts"
    assert all(u.startswith("/app/static/vendor/") for u in urls), urls
    assert external_urls(m) == []
    assert "/app/static/vendor/leaflet/leaflet.js" in urls
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in urls


def test_folium_class_defaults_stay_untouched() -> None:
    before = list(folium.Map.default_js), list(folium.plugins.MarkerCluster.default_js)
    m = new_map(location=LATLON, tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    finish_map(m)
    assert (list(folium.Map.default_js), list(folium.plugins.MarkerCluster.default_js)) == before
    assert folium.Map.default_js[0][1].startswith("https://")


def test_map_has_scale_attribution_layer_control_and_zoom_limits() -> None:
    m = finish_map(new_map(location=LATLON, zoom_start=12, max_zoom=18, tiles=None))
    page = m.get_root().render()
    assert '"maxZoom": 18' in page
    assert "L.control.scale" in page
    assert "L.control.layers" in page
    added = re.findall(r"addAttribution\((\"[^\"]*\")\)", page)
    assert [json.loads(a) for a in added] == [assets.ATTRIBUTION]


@pytest.mark.parametrize(("setting", "expected"), [("osm", 1), ("", 0), ("none", 0)])
def test_online_tiles_only_by_setting(monkeypatch, setting: str, expected: int) -> None:
    monkeypatch.setenv("BLK_TILES", setting)
    m = new_map(location=LATLON)
    tile_layers = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tile_layers) == expected
    if expected:
        assert "tile.openstreetmap.org" in m.get_root().render()


def test_static_url_setting(monkeypatch) -> None:
    monkeypatch.setenv("BLK_STATIC_URL", "/karte/app/static/")
    m = finish_map(new_map(location=LATLON, tiles=None))
    assert all(u.startswith("/karte/app/static/vendor/") for u in _page_urls(m))


def test_localize_refuses_unknown_cdn_plugins() -> None:
    m = new_map(location=LATLON, tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match=r"Fullscreen loads .* not available offline"):
        localize(m)


def test_localize_refuses_branca_colormaps() -> None:
    m = new_map(location=LATLON, tiles=None)
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(OfflineAssetError, match="d3 from a CDN"):
        localize(m)


def test_glyphicon_icons_switch_to_font_awesome() -> None:
    m = new_map(location=LATLON, tiles=None)
    icon = folium.Icon(icon="home")
    folium.Marker(LATLON, icon=icon).add_to(m)
    localize(m)
    assert icon.options["prefix"] == "fa"


def test_install_copies_every_served_file(tmp_path: Path) -> None:
    if not (NODE_MODULES / "leaflet").exists():
        pytest.fail(f"{NODE_MODULES} missing: run `npm ci` (./run.sh does)")
    target = install(node_modules=NODE_MODULES, static_dir=tmp_path)
    for rel in [*LOCAL_JS.values(), *LOCAL_CSS.values(), "blk/basemap.js"]:
        assert (target / rel).is_file(), rel
    css = (target / "fontawesome/css/all.min.css").read_text(encoding="utf-8")
    for font in set(re.findall(r"url\(\.\./webfonts/([^)]+)\)", css)):
        assert (target / "fontawesome/webfonts" / font).is_file(), font
    versions = json.loads((target / "versions.json").read_text(encoding="utf-8"))
    assert versions["leaflet"].startswith("1.9")
    assert assets.missing_files(static_dir=tmp_path) == []
    # A second install swaps the folder without leaving temporary folders behind.
    (target / "stale.txt").write_text("old", encoding="utf-8")
    install(node_modules=NODE_MODULES, static_dir=tmp_path)
    assert not (target / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vendor"]


def test_install_without_npm_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(OfflineAssetError, match=r"npm ci"):
        install(node_modules=tmp_path / "nothing", static_dir=tmp_path / "static")
    assert not (tmp_path / "static" / "vendor").exists()


def test_cli_check_reports_missing(tmp_path: Path, capsys) -> None:
    assert assets.main(["check", "--static-dir", str(tmp_path)]) == 1
    assert "leaflet/leaflet.js" in capsys.readouterr().err


def test_lockfile_pins_what_is_served() -> None:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pkgs = lock["packages"]
    wanted = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name in ("leaflet", "leaflet.markercluster", "@fortawesome/fontawesome-free", "jquery"):
        entry = pkgs[f"node_modules/{name}"]
        assert entry["version"] == wanted[name], name  # exact pins, no ranges
        assert entry["integrity"].startswith("sha512-"), name
