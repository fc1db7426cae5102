"""The site's OpenAPI schema class.

Operations are grouped (tagged) by package. shop_core's ``AutoSchema``
(drf-standardized-errors', knowing ``too_deep`` too) documents the
error answers of every view that uses the one error handler: 400 with each
field's codes, 401, 403, 404, 405, 415, 429, 500. This adds what the site
itself may answer on top, in the same body shape, so clients and the fuzzer
know them: 413 (a body too large, for operations that take one), 414 (the
web server's answer to an absurdly long URL), and, where an operation does
not document them already, the generic 400/401/403/404/429 any view may
give (an invalid page, a throttle, ...).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from shop_core.openapi import AutoSchema

ERROR = inline_serializer(
    "SiteError",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "attr": serializers.CharField(allow_null=True),
    },
)
ERROR_RESPONSE = inline_serializer(
    "SiteErrorResponse",
    {"type": serializers.CharField(), "errors": serializers.ListField(child=ERROR)},
)

GENERIC_ERRORS = {
    "400": (ERROR_RESPONSE, "Invalid input: a code per problem, with the field it concerns."),
    "401": (ERROR_RESPONSE, "Missing or invalid credentials."),
    "403": (ERROR_RESPONSE, "Not allowed."),
    "404": (ERROR_RESPONSE, "No such object (or page)."),
    "429": (ERROR_RESPONSE, "Too many requests; retry later."),
    # Answered by the web server itself (gunicorn's request-line limit).
    "414": (None, "Request line too long."),
}
# Bodies larger than the site accepts (errors.BodySizeLimitMiddleware).
BODY_ERRORS = {"413": (ERROR_RESPONSE, "Request body too large (code too_large).")}


class ShopAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        # One group per package: /api/v1/<area>/... -> "<area>".
        parts = self.path.strip("/").split("/")
        if len(parts) > 2 and parts[:2] == ["api", "v1"]:
            return [parts[2]]
        return super().get_tags()

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(GENERIC_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for code, (serializer, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(serializer, code, direction=direction)
                responses[code] = {**response, "description": description}
        return responses
