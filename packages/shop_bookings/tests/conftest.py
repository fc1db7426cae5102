import pytest
from rest_framework.test import APIClient

from .factories import make_service, make_specialist, make_user


@pytest.fixture
def specialist(db):
    return make_specialist()


@pytest.fixture
def service(specialist):
    return make_service(specialist)


@pytest.fixture
def client_user(db):
    return make_user("alice")


@pytest.fixture
def other_user(db):
    return make_user("mallory")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user):
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
