"""Map layers for the app: pure functions that return folium objects (no Streamlit).

- :mod:`layers.assets`: offline JS/CSS (npm -> ``static/vendor``), :func:`~layers.assets.new_map`,
  :func:`~layers.assets.finish_map` (layer control + local URLs).
- :mod:`layers.basemap`: the region's own streets/areas/names as a static, cache-keyed GeoJSON.
- :mod:`layers.offers`, :mod:`layers.isochrones`, :mod:`layers.choropleth`,
  :mod:`layers.cells`, :mod:`layers.whatif`, :mod:`layers.pins`, :mod:`layers.legend`.
- :mod:`layers.handout`: the counsellor's print view (HTML) and PDF.
- :mod:`layers.text`: German/English number formats and escaping.

Store and draw in EPSG:4326; every measured size is computed in EPSG:25832.
"""
