"""The site's OpenAPI schema class: the packages document their success
responses and domain errors (409 of a checkout, ...); this adds the errors
any DRF view can answer, so clients and the fuzzer know them: 400 (invalid
input), 401 (missing or bad credentials), 403, 404 (unknown object or
page), 429 (throttled), 413 (a body too large, for operations that take
one), and 414, which the web server answers for an absurdly long URL."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

# The site's exception handler adds the code of the error (errors.py).
DETAIL = inline_serializer(
    "ErrorDetail", {"detail": serializers.CharField(), "code": serializers.CharField()}
)
# Field errors: {"field": ["message", ...], "non_field_errors": [...]} or a detail;
# a bare list of messages when DRF validates a query parameter outside a
# serializer (SearchFilter with a NUL character: ["Null characters are not allowed."]).
FIELD_ERRORS = {
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ]
}

GENERIC_ERRORS = {
    "400": (FIELD_ERRORS, "Invalid input: messages per field."),
    "401": (DETAIL, "Missing or invalid credentials."),
    "403": (DETAIL, "Not allowed."),
    "404": (DETAIL, "No such object (or page)."),
    "429": (DETAIL, "Too many requests; retry later."),
    # Answered by the web server itself (gunicorn's request-line limit).
    "414": (None, "Request line too long."),
}
# Bodies larger than the site accepts (errors.BodySizeLimitMiddleware).
BODY_ERRORS = {"413": (DETAIL, "Request body too large.")}


class ShopAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors = dict(GENERIC_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for code, (serializer, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(serializer, code, direction=direction)
                responses[code] = {**response, "description": description}
        return responses
