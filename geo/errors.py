"""The one exception hierarchy of Bildungslandkarte.

Every error a user or an operator can meet derives from :class:`BildungslandkarteError`.
Messages name the file, the row and the field where they apply and say how to fix it,
in the style of osmnx' errors.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path


class BildungslandkarteError(Exception):
    """Base class of all errors raised by this project."""


class InputDataError(BildungslandkarteError):
    """An input file is missing, unreadable or has content we cannot use.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    path : str or Path, optional
        The file the problem is in.
    field : str, optional
        The column, tag or manifest key.
    row : int, optional
        The 1-based data row (header not counted) where applicable.
    hint : str, optional
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.field = field
        self.row = row
        self.hint = hint
        self.reason = message
        parts = []
        if self.path is not None:
            parts.append(str(self.path))
        if row is not None:
            parts.append(f"row {row}")
        if field is not None:
            parts.append(f"field {field!r}")
        where = ", ".join(parts)
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} How to fix: {hint}"
        super().__init__(text)


class ManifestError(InputDataError):
    """A region manifest (``data/regions/<slug>.toml``) is missing or invalid."""


class NetworkBuildError(InputDataError):
    """A street network cannot be built from the given input."""


class CensusFormatError(InputDataError):
    """A census grid file is not in a layout we know."""


class RegionNotFoundError(BildungslandkarteError):
    """No manifest exists for the requested region slug."""


class OutOfReachError(BildungslandkarteError):
    """An origin or an offer lies outside the region or too far from its street network.

    Parameters
    ----------
    message : str
        What is out of reach and how to fix it.
    offer_id : hashable, optional
        The offer that cannot be routed (None for an origin).
    point : (float, float), optional
        The point that is out of reach, ``(lon, lat)`` in EPSG:4326 (None when unknown,
        e.g. an offer without coordinates).
    """

    def __init__(
        self,
        message: str,
        *,
        offer_id: Hashable | None = None,
        point: tuple[float, float] | None = None,
    ) -> None:
        self.offer_id = offer_id
        self.point = point
        super().__init__(message)


class GeocodeError(BildungslandkarteError):
    """An address could not be resolved with the offline address index."""


class OfferImportError(InputDataError):
    """An offer file cannot be read at all (as opposed to single rejected rows)."""


class OfferStoreError(BildungslandkarteError):
    """The offer store cannot be opened or written."""


class OfferNotFoundError(OfferStoreError, KeyError):
    """No offer with this id in the store (deleted meanwhile, or a wrong id).

    Also a ``KeyError``, so code that looks offers up by id can catch either.
    """

    def __init__(self, offer_id: str) -> None:
        self.offer_id = offer_id
        self.reason = (
            f"no offer with id {offer_id!r} in the store; it may have been deleted"
            " meanwhile. How to fix: reload the list and pick the offer again."
        )
        super().__init__(self.reason)

    def __str__(self) -> str:
        # KeyError would print the message in quotes
        return self.reason


class MonitorImportError(InputDataError):
    """An indicator file cannot be read at all (as opposed to single rejected values)."""


class MonitorStoreError(BildungslandkarteError):
    """The indicator store cannot be opened or written, or a request to it is invalid."""


class FormulaError(MonitorStoreError, ValueError):
    """A derived indicator's formula is not valid (unknown name, forbidden syntax)."""
