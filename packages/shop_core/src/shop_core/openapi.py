"""The schema class of the shop packages (``shop_core.schema.DEFAULT_SCHEMA_CLASS``).

drf-standardized-errors' ``AutoSchema`` documents every error answer of a
view in the one shape. Two additions: the views' parsers are wrapped by
``DepthGuard`` (so the parse-error answer is recognised by media type, not
by the parser's class), and a parse error may be ``too_deep`` besides
``parse_error``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import PolymorphicProxySerializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ParseErrorResponseSerializer,
)
from rest_framework import serializers


class ParseErrorCodeEnum(models.TextChoices):
    PARSE_ERROR = "parse_error"
    TOO_DEEP = "too_deep"


class ParseErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ParseErrorCodeEnum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ParseErrorResponse(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ParseErrorSerializer(many=True)


class AutoSchema(StandardizedAutoSchema):
    def _should_add_parse_error_response(self) -> bool:
        return any(
            "json" in (parser.media_type or "") or "multipart" in (parser.media_type or "")
            for parser in self.view.get_parsers()
        )

    def _get_http400_serializer(self) -> Any:
        proxy = super()._get_http400_serializer()
        if isinstance(proxy, PolymorphicProxySerializer) and isinstance(proxy.serializers, dict):
            proxy.serializers = {
                kind: ParseErrorResponse
                if serializer is ParseErrorResponseSerializer
                else serializer
                for kind, serializer in proxy.serializers.items()
            }
        return proxy
