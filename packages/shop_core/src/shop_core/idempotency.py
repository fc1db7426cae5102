"""Idempotency keys: a retried request returns the first answer, another body is a 422.

A package stores, beside the object a keyed request created, the key and
``fingerprint(payload)`` of the validated request. On a repeat it compares
fingerprints: equal -> replay the object, different -> raise
``IdempotencyKeyReused`` (HTTP 422, code ``idempotency_key_reused``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError
from rest_framework.request import Request

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
FINGERPRINT_LENGTH = 64
INVALID_KEY = "invalid_idempotency_key"


def fingerprint(payload: Any) -> str:
    """A stable hash (hex sha256) of a JSON-able payload; key order does not matter."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_from(request: Request, max_length: int = MAX_KEY_LENGTH) -> str:
    """The request's ``Idempotency-Key`` header, stripped ("" when absent).

    A key longer than ``max_length`` or with characters outside printable
    ASCII is a 400 (code ``invalid_idempotency_key`` on ``idempotency_key``).
    """
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > max_length or not (key.isascii() and key.isprintable()):
        message = _("Idempotency-Key: at most %(n)d printable ASCII characters.") % {
            "n": max_length
        }
        raise ValidationError({"idempotency_key": [ErrorDetail(message, INVALID_KEY)]})
    return key


class IdempotencyKeyReused(APIException):
    """The key was already used by this user for a request with another body (HTTP 422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was already used for a different request.")

    def __init__(self) -> None:
        super().__init__(self.default_detail, self.default_code)
