"""Which format a price list is in, and whether its bytes may be read at all.

Each check lives here once: ``detect_format`` (from a name or a content
type), ``check_format`` (one of ``PRICE_LIST_FORMATS``), ``check_size``
(``IMPORT_MAX_BYTES``) and ``sniff`` (the content can be that format,
whatever the file is called). ``read_pricelist`` runs the last three on the
bytes it reads; an upload stored for a background job is ``admit``-ed when
it arrives, so a picture called ``list.yaml`` is a 400 at once.
"""

from __future__ import annotations

import codecs
import os

from django.utils.translation import gettext as _

from ..conf import app_settings
from ..exceptions import PRICELIST_FIELD, file_error

FORMATS = ("yaml", "json", "csv", "xlsx")
# How much of an upload ``admit`` looks at.
HEAD_BYTES = 64 * 1024

_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
_CONTENT_TYPES = {
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
    "application/json": "json",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def detect_format(filename: str = "", content_type: str = "") -> str | None:
    """The format named by a file's extension, else by its content type (None if neither)."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    return _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())


def check_format(fmt: str | None) -> str:
    """``fmt`` if ``PRICE_LIST_FORMATS`` has it, else ``PriceListError`` ``unknown_format``."""
    if fmt not in app_settings.PRICE_LIST_FORMATS or fmt not in FORMATS:
        raise file_error(
            _("The format %(format)s is not accepted.") % {"format": fmt},
            "unknown_format",
            field="format",
        )
    return fmt


def check_size(size: int) -> None:
    """``PriceListError`` ``file_too_large`` for more than ``IMPORT_MAX_BYTES``."""
    if size > app_settings.IMPORT_MAX_BYTES:
        raise file_error(
            _("The price list is larger than the limit."), "file_too_large", PRICELIST_FIELD
        )


def sniff(head: bytes, fmt: str) -> None:
    """Refuse content that cannot be ``fmt`` whatever the file is called (``wrong_type``).

    ``head`` is the start of the file (or all of it): YAML, JSON and CSV must
    be UTF-8 text (YAML may also be UTF-16 with a byte-order mark), an XLSX
    workbook is a zip archive.
    """
    if fmt == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise file_error(_("The file is not an XLSX workbook."), "wrong_type")
        return
    if fmt == "yaml" and head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        binary = True
    else:
        binary = b"\0" in head
    if binary:
        raise file_error(
            _("The file is not UTF-8 %(format)s text; is it binary data such as an image?")
            % {"format": fmt.upper()},
            "wrong_type",
        )


def admit(head: bytes, size: int, fmt: str) -> None:
    """The checks of ``read_pricelist`` before any parsing: format, size, content."""
    check_format(fmt)
    check_size(size)
    sniff(head, fmt)
