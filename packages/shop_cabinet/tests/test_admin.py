"""The admin pages load and keep the address-book rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from shop_cabinet import services
from shop_cabinet.models import Address, PersonalDataExport

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Any) -> Any:
    fields = factories.user_fields("root")
    admin = get_user_model()._default_manager.create_superuser(password="pw", **fields)
    client.force_login(admin)
    return client


def test_changelists_load(admin_client: Any, user: Any) -> None:
    factories.address(user)
    services.add_favourite(user=user, product=factories.product())
    services.request_export(user=user)
    for model in ("address", "favourite", "personaldataexport"):
        response = admin_client.get(f"/admin/shop_cabinet/{model}/")
        assert response.status_code == 200, model
    job = PersonalDataExport.objects.get()
    page = admin_client.get(f"/admin/shop_cabinet/personaldataexport/{job.pk}/change/")
    assert page.status_code == 200


def test_make_default_action_and_delete(admin_client: Any, user: Any) -> None:
    first = factories.address(user)
    second = factories.address(user)
    response = admin_client.post(
        "/admin/shop_cabinet/address/",
        {"action": "make_default", "_selected_action": [second.pk]},
    )
    assert response.status_code == 302
    assert Address.objects.get(is_default=True).pk == second.pk
    response = admin_client.post(
        f"/admin/shop_cabinet/address/{second.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert Address.objects.get(is_default=True).pk == first.pk


def test_add_through_the_admin_follows_the_rules(admin_client: Any, user: Any) -> None:
    data = {
        "user": user.pk,
        "kind": "legal",
        "recipient": "ACME LLC",
        "phone": "+7 495 000-00-00",
        "city": "Moscow",
        "street": "Arbat",
        "building": "2",
        "apartment": "",
        "postal_code": "119002",
    }
    response = admin_client.post("/admin/shop_cabinet/address/add/", data)
    assert response.status_code == 302
    assert Address.objects.get(user=user, kind="legal").is_default
    bad = admin_client.post("/admin/shop_cabinet/address/add/", {**data, "postal_code": "1"})
    assert bad.status_code == 200 and "postal_code" in bad.context["adminform"].form.errors
