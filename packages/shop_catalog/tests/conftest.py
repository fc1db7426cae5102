import shutil

import pytest
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
    """The shop named in the sample price list, with its owner."""
    return factories.shop("Связной", owner=factories.user("owner"))


@pytest.fixture
def sample_data():
    from shop_catalog.pricelist import parse_pricelist

    return parse_pricelist(factories.sample_bytes(), "yaml")
