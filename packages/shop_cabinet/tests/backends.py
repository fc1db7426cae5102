"""Task and cache backends that fail, for the tests of what a failing side effect does."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.locmem import LocMemCache

try:  # Django >= 6.0
    from django.tasks.backends.immediate import ImmediateBackend
except ImportError:  # the django-tasks backport
    from django_tasks.backends.immediate import ImmediateBackend


class BrokenBackend(ImmediateBackend):
    """A task queue that is down: every enqueue raises."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        raise ConnectionError("the task queue is down")


class BrokenCache(LocMemCache):
    """A cache server that is down for writes."""

    def delete(self, key: Any, version: Any = None) -> bool:
        raise ConnectionError("the cache is down")
