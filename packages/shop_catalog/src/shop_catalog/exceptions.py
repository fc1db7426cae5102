"""Errors this package raises on purpose, each with a stable ``code``.

They are ``shop_core.errors.ShopError``s, so a view on ``ShopAPIMixin``
answers them in the one error shape of the shop packages::

    {"type": "validation_error",
     "errors": [{"code": "negative", "detail": "goods row 6, quantity: ...", "attr": "file"}]}

Services called without HTTP (the command, the admin, a background job)
read ``code``, ``errors`` and ``str(error)``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, ValidationError

from shop_core.errors import ShopError

# The request field a price list's problems are answered on (the upload).
PRICELIST_FIELD = "file"

# Every code of a price-list problem (``PriceListError.errors[i]["code"]``).
ROW_CODES = (
    "required",
    "max_length",
    "duplicate",
    "unknown_category",
    "not_a_mapping",
    "not_a_list",
    "not_scalar",
    "invalid",
    "negative",
    "too_large",
    "max_decimal_places",
    "not_integer",
)
FILE_CODES = (
    "invalid_file",
    "wrong_type",
    "unknown_format",
    "file_too_large",
    "too_deep",
    "too_many_nodes",
    "missing_column",
    "several_shops",
    "no_goods",
    "no_shop",
    "unknown_shop",
    "shop_mismatch",
)
# Codes only a background job records (never the answer of a request).
JOB_CODES = ("fetch_failed", "queue_failed", "import_failed")
PRICELIST_CODES = ROW_CODES + FILE_CODES


def format_problem(problem: dict[str, Any]) -> str:
    """One price-list problem as a line of text: ``goods row 7, price: Enter a number.``

    A problem of the whole file is its message alone.
    """
    section, row, field = problem.get("section") or "file", problem.get("row"), problem.get("field")
    if section == "file" and row is None:
        return problem["message"]
    where = section
    if row is not None:
        where = gettext("%(section)s row %(row)s") % {"section": section, "row": row}
    if field:
        where = f"{where}, {field}"
    return f"{where}: {problem['message']}"


class CatalogError(ShopError):
    """Base of the errors of this package (HTTP 400 unless a subclass says otherwise)."""

    default_code = "invalid"
    default_detail = _("The request cannot be carried out.")


class PriceListError(CatalogError, ValidationError):
    """A price list that cannot be imported; nothing was written.

    ``errors`` lists every problem, not the first: dicts ``{"section":
    "goods" | "categories" | "file", "row": int | None, "field": str,
    "message": str, "code": str}`` (the codes are ``PRICELIST_CODES``,
    listed in the README). Over HTTP each problem is one item of ``errors``
    on the ``file`` field, its ``detail`` saying where; ``extra`` may add
    the failed ``job``.
    """

    default_code = "invalid_pricelist"
    default_detail = _("The price list has errors; nothing was imported.")

    def __init__(self, errors: list[dict[str, Any]], *, extra: dict[str, Any] | None = None):
        self.errors = errors
        details = [ErrorDetail(format_problem(e), code=e["code"]) for e in errors]
        super().__init__({PRICELIST_FIELD: details}, extra=extra)

    def __str__(self) -> str:
        return "; ".join(format_problem(e) for e in self.errors[:10])


def problem(
    message: Any, code: str, *, section: str = "file", row: int | None = None, field: str = ""
) -> dict[str, Any]:
    """One price-list problem (an item of ``PriceListError.errors``)."""
    return {"section": section, "row": row, "field": field, "message": str(message), "code": code}


def file_error(message: Any, code: str = "invalid_file", field: str = "") -> PriceListError:
    """A ``PriceListError`` about the whole file (no row)."""
    return PriceListError([problem(message, code, field=field)])


class ExternalIdTaken(CatalogError):
    """The shop already has an offer with this ``external_id`` (also when two writers race)."""

    default_code = "taken"
    default_detail = _("This shop already has an offer with this external id.")

    def __init__(self) -> None:
        super().__init__(self.default_detail, field="external_id")
