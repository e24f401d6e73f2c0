"""The offers catalogue: schema, taxonomy, OSM mapping, imports, store, search, export.

Pure (no UI). Entry points: :func:`offers.catalogue.load_offers`,
:class:`offers.store.OfferStore`, :func:`offers.search.search_offers`,
``python -m offers import|export``.
"""
