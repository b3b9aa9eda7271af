"""Why a file cannot become corpus text."""

from __future__ import annotations

from indexer.errors import InputError


class ExtractError(InputError):
    """A file that cannot be turned into corpus text; the message says why and what to do."""


class UnknownFormatError(ExtractError):
    """The file's suffix names no format plansearch reads."""


class EmptyDocumentError(ExtractError):
    """The file holds no text."""


class NoTextLayerError(ExtractError):
    """A PDF whose pages are images (a scan): there is no text to read without OCR."""
