"""Replacement hooks used by the tests."""

from shop_catalog.fetch import FetchError

from .factories import sample_bytes

FETCHED: list = []


def nobody_is_supplier(user) -> bool:
    return False


def fake_fetcher(url: str, *, max_bytes: int, timeout: float) -> bytes:
    FETCHED.clear()
    FETCHED.append((url, max_bytes))
    return sample_bytes()


def failing_fetcher(url: str, *, max_bytes: int, timeout: float) -> bytes:
    raise FetchError("The server answered 500.")


def broken_fetcher(url: str, *, max_bytes: int, timeout: float) -> bytes:
    raise RuntimeError("a bug in the fetcher")
