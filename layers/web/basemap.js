/* Bildungslandkarte offline basemap: draws the region's own streets, areas and names.
 * The GeoJSON is a static, cache-keyed file (layers/basemap.py), fetched once and
 * kept by the browser cache, so Streamlit reruns never resend it.
 * Properties: k = kind (street | area | label), c = class, n = name (labels).
 */
(function () {
  "use strict";
  var STREETS = {
    motorway: { color: "#e9a2a9", casing: "#c77c85", weight: 4.5, minZoom: 0 },
    primary: { color: "#fcd9a0", casing: "#d3a866", weight: 4, minZoom: 0 },
    secondary: { color: "#f6ef9f", casing: "#c2b96f", weight: 3.5, minZoom: 0 },
    minor: { color: "#ffffff", casing: "#cfc8bd", weight: 2.5, minZoom: 13 },
    path: { color: "#a99f93", casing: null, weight: 1, minZoom: 15, dashArray: "3,3" },
  };
  var AREAS = {
    water: { color: "#aad3df", fillOpacity: 1 },
    forest: { color: "#add19e", fillOpacity: 0.9 },
    green: { color: "#cdebb0", fillOpacity: 0.9 },
    residential: { color: "#e3ddd5", fillOpacity: 0.7 },
  };
  var LABEL_MIN_ZOOM = { city: 0, town: 0, village: 11, suburb: 12, district: 12, quarter: 13,
    neighbourhood: 14, hamlet: 14 };

  function pane(map, name, zIndex, pointer) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = String(zIndex);
    if (!pointer) { p.style.pointerEvents = "none"; }
    return p;
  }

  function basemap(map, group, url) {
    pane(map, "blkBasemap", 250, false);
    pane(map, "blkLabels", 450, false);
    var renderer = L.canvas({ pane: "blkBasemap", padding: 0.5 });
    var byZoom = []; // [layer, minZoom]
    function zoomed() {
      var z = map.getZoom();
      byZoom.forEach(function (item) {
        var want = z >= item[1];
        if (want && !group.hasLayer(item[0])) { group.addLayer(item[0]); }
        if (!want && group.hasLayer(item[0])) { group.removeLayer(item[0]); }
      });
    }
    fetch(url, { cache: "force-cache" })
      .then(function (r) {
        if (!r.ok) { throw new Error("basemap " + r.status); }
        return r.json();
      })
      .then(function (fc) {
        var feats = fc.features || [];
        var areas = feats.filter(function (f) { return f.properties.k === "area"; });
        if (areas.length) {
          byZoom.push([L.geoJSON(areas, {
            renderer: renderer, interactive: false,
            style: function (f) {
              var s = AREAS[f.properties.c] || AREAS.green;
              return { stroke: false, fillColor: s.color, fillOpacity: s.fillOpacity };
            },
          }), 0]);
        }
        // Draw minor first, major last, so main roads stay on top; casings below fills.
        ["path", "minor", "secondary", "primary", "motorway"].forEach(function (cls) {
          var s = STREETS[cls];
          var lines = feats.filter(function (f) {
            return f.properties.k === "street" && f.properties.c === cls;
          });
          if (!lines.length) { return; }
          var parts = [];
          if (s.casing) {
            parts.push(L.geoJSON(lines, { renderer: renderer, interactive: false,
              style: { color: s.casing, weight: s.weight + 1.5, lineCap: "round" } }));
          }
          parts.push(L.geoJSON(lines, { renderer: renderer, interactive: false,
            style: { color: s.color, weight: s.weight, dashArray: s.dashArray || null,
              lineCap: "round" } }));
          byZoom.push([L.layerGroup(parts), s.minZoom]);
        });
        feats.forEach(function (f) {
          if (f.properties.k !== "label" || !f.geometry) { return; }
          var el = document.createElement("span");
          el.textContent = f.properties.n; // text, never HTML
          el.className = "blk-label blk-label-" + f.properties.c;
          var c = f.geometry.coordinates;
          var marker = L.marker([c[1], c[0]], {
            pane: "blkLabels", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "blk-label-icon", html: el, iconSize: null }),
          });
          var mz = LABEL_MIN_ZOOM[f.properties.c];
          byZoom.push([marker, mz === undefined ? 13 : mz]);
        });
        map.on("zoomend", zoomed);
        zoomed();
        map.fire("blk:basemap", { features: feats.length });
      })
      .catch(function (err) { console.warn("Bildungslandkarte basemap:", err); });
  }

  window.BLK = window.BLK || {};
  window.BLK.basemap = basemap;
})();
