import os

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("demo_data", stdout=open(os.devnull, "w"))
    user_model = get_user_model()
    return {user.email: user for user in user_model.objects.all()}
