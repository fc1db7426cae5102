"""Helpers for the packages' tests (import only from tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_at_once(functions: list[Callable[[], Any]]) -> list[Any]:
    """Run each function in its own thread, all released together by a barrier.

    Returns each function's result or the exception it raised, in order.
    Every thread closes its database connections, so a PostgreSQL test
    database can be dropped afterwards.
    """
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # collected and asserted by the caller
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def nested_json(depth: int = 1000) -> str:
    """A JSON array nested ``depth`` levels deep (2 KB at 1000): the 500 of old."""
    return "[" * depth + "]" * depth


# Hostile values for any string, number or date field.
HOSTILE_STRINGS = ["", " ", "\x00", "a" * 100_000, "١٢٣٤٥٦", "<script>", "'; DROP TABLE x;--"]
HOSTILE_NUMBERS = [-1, 0, 10**30, "1e400", "NaN", "Infinity", "9999999999.999", 1.5]
HOSTILE_DATES = ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "x"]


# --- OpenAPI: every answer a test sees must match the schema ----------------------


def openapi() -> dict[str, Any]:
    """The project's OpenAPI document, with request and response components apart."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import patched_settings

    with patched_settings({"COMPONENT_SPLIT_REQUEST": True}):
        return SchemaGenerator().get_schema(request=None, public=True)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    # OpenAPI clients read patterns as ECMA regexes: \w and \d are ASCII only.
    import re

    import jsonschema

    if validator.is_type(instance, "string") and not re.search(pattern, instance, re.ASCII):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _nullable(node: Any) -> Any:
    # OpenAPI 3.0 ``nullable`` -> JSON Schema's ``null`` type.
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches_schema(
    document: dict[str, Any], path: str, method: str, status: int, body: Any
) -> None:
    """Fail when ``body`` is not what ``document`` says ``method path`` answers with ``status``.

    Needs ``jsonschema`` (a test dependency of the packages).
    """
    import jsonschema

    validator_class = jsonschema.validators.extend(
        jsonschema.Draft7Validator, {"pattern": _ecma_pattern}
    )
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    root = _nullable({**schema, "components": document.get("components", {})})
    errors = [error.message for error in validator_class(root).iter_errors(body)]
    assert not errors, errors
