"""OpenAPI settings that make the schema document every error answer with its codes.

A project (or a package's test settings) merges these into its own::

    from shop_core.schema import DEFAULT_SCHEMA_CLASS, SPECTACULAR_SETTINGS as SHOP_SCHEMA

    REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": DEFAULT_SCHEMA_CLASS, ...}
    SPECTACULAR_SETTINGS = {**SHOP_SCHEMA, "TITLE": "My shop", ...}

This module imports nothing from DRF, so a settings module may import it.
``DEFAULT_SCHEMA_CLASS`` is ``shop_core.openapi.AutoSchema``:
drf-standardized-errors' schema class (a subclass of drf-spectacular's)
that also knows ``too_deep``. For each operation of a view using
``ShopAPIMixin`` it adds the 400/401/403/404/405/415/429/500 answers in the one error shape,
with the validation codes of each field. Its enum hook replaces
drf-spectacular's own (it is a copy of it that leaves the per-operation
error enums alone).
"""

from __future__ import annotations

__all__ = ["DEFAULT_SCHEMA_CLASS", "SPECTACULAR_SETTINGS"]

DEFAULT_SCHEMA_CLASS = "shop_core.openapi.AutoSchema"

_ENUMS = (
    "ValidationErrorEnum",
    "ClientErrorEnum",
    "ServerErrorEnum",
    "ParseErrorCodeEnum",
    "ErrorCode401Enum",
    "ErrorCode403Enum",
    "ErrorCode404Enum",
    "ErrorCode405Enum",
    "ErrorCode406Enum",
    "ErrorCode415Enum",
    "ErrorCode429Enum",
    "ErrorCode500Enum",
)

SPECTACULAR_SETTINGS = {
    "ENUM_NAME_OVERRIDES": {
        **{name: f"drf_standardized_errors.openapi_serializers.{name}.choices" for name in _ENUMS},
        "ParseErrorCodeEnum": "shop_core.openapi.ParseErrorCodeEnum.choices",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}
