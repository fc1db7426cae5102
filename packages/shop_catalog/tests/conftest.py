import shutil

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from . import factories


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def supplier(db):
    """A shop named as in the sample price list, with its owner."""
    owner = factories.user("owner")
    shop = factories.shop("Связной", owner=owner)
    return shop


@pytest.fixture
def sample_data():
    from shop_catalog.pricelist import parse_pricelist

    return parse_pricelist(factories.sample_bytes(), "yaml")


assert settings.configured
