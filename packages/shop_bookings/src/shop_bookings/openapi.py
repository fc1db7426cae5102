"""OpenAPI pieces for the error answers drf-standardized-errors cannot infer.

400s are documented with its ``extend_validation_errors`` (views.py); the
other statuses a service can answer with a code of its own (403
``wrong_role``, 404 ``no_profile``, 422 ``idempotency_key_reused``) with an
``extend_schema`` response built here, in the same shape.
"""

from __future__ import annotations

from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.settings import package_settings
from rest_framework import serializers


def error_response(name: str, codes: list[str]) -> type[serializers.Serializer]:
    """A serializer of ``{"type": "client_error", "errors": [{"code", "detail", "attr"}]}``
    whose ``code`` is one of ``codes``; ``name`` makes its components unique."""
    # The suffix keeps drf-standardized-errors' enum hook off the per-answer code enum.
    suffix = package_settings.ERROR_COMPONENT_NAME_SUFFIX
    error = type(
        f"{name}Error",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=[(code, code) for code in codes]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
            "Meta": type("Meta", (), {"ref_name": f"{name}{suffix}"}),
        },
    )
    return type(
        f"{name}Response",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": error(many=True),
            "Meta": type("Meta", (), {"ref_name": f"{name}Response"}),
        },
    )
