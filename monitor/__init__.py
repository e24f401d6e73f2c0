"""Bildungsmonitoring: indicators over time, their store and imports, snapshots, targets.

Pure (no UI): it sits above :mod:`geo` and :mod:`offers` and below :mod:`layers`.
See ``docs/ARCHITECTURE.md`` (section *monitor*) for the contracts.
"""
