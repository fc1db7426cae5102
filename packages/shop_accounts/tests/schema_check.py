"""Validate an API answer against this package's generated OpenAPI schema.

The pattern keyword is checked the way OpenAPI clients (ECMA regex) read it:
``\\w`` and ``\\d`` are ASCII only, which Python's ``re`` needs ``re.ASCII`` for.
OpenAPI 3.0 ``nullable`` is turned into JSON Schema's ``null`` type.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings


def _ecma_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not re.search(pattern, instance, re.ASCII):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _ecma_pattern})


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def openapi() -> dict[str, Any]:
    # Separate request and response components, as a site serving clients does.
    with patched_settings({"COMPONENT_SPLIT_REQUEST": True}):
        return SchemaGenerator().get_schema(request=None, public=True)


def assert_matches_schema(
    document: dict[str, Any], path: str, method: str, status: int, body: Any
) -> None:
    """Fail when ``body`` is not what ``document`` says ``method path`` answers with ``status``."""
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    root = _nullable({**schema, "components": document.get("components", {})})
    errors = [error.message for error in Validator(root).iter_errors(body)]
    assert not errors, errors
