"""A deleted user leaves an audit record, with who deleted when known."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shop_accounts.middleware import acting_as, acting_user
from shop_accounts.models import DeletedUser, Profile

from .conftest import admin_url

pytestmark = pytest.mark.django_db


def test_delete_without_context_records_user_only(user):
    pk, joined = user.pk, getattr(user, "date_joined", None)

    user.delete()

    record = DeletedUser.objects.get()
    assert record.user_pk == str(pk)
    assert record.email == "alice@example.com"
    assert record.date_joined == joined
    assert record.deleted_at is not None
    assert (record.deleted_by_pk, record.deleted_by_email) == ("", "")
    assert not Profile.objects.filter(user_id=pk).exists()


def test_delete_inside_acting_as_records_the_deleter(user, other_user):
    with acting_as(other_user):
        assert acting_user() == other_user
        user.delete()
    assert acting_user() is None

    record = DeletedUser.objects.get()
    assert (record.deleted_by_pk, record.deleted_by_email) == (
        str(other_user.pk),
        "bob@example.com",
    )


def test_delete_through_admin_records_the_staff_member(client, make_user, user):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    pk = user.pk

    response = client.post(admin_url("delete", pk), {"post": "yes"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=pk).exists()
    record = DeletedUser.objects.get(user_pk=str(pk))
    assert record.email == "alice@example.com"
    assert (record.deleted_by_pk, record.deleted_by_email) == (str(staff.pk), "staff@example.com")


def test_bulk_delete_through_admin_records_each_user(client, make_user):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    victims = [make_user() for _ in range(3)]
    client.force_login(staff)

    client.post(
        admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in victims], "post": "yes"},
    )

    records = DeletedUser.objects.filter(deleted_by_pk=str(staff.pk))
    assert sorted(records.values_list("user_pk", flat=True)) == sorted(str(u.pk) for u in victims)


def test_anonymous_request_is_not_a_deleter(client, user):
    client.get("/api/v1/accounts/user/")  # runs the middleware with AnonymousUser
    assert acting_user() is None


def test_audit_record_cannot_be_edited_in_admin(admin_client, user):
    user.delete()
    record = DeletedUser.objects.get()
    assert admin_client.get("/admin/shop_accounts/deleteduser/add/").status_code == 403
    response = admin_client.post(
        f"/admin/shop_accounts/deleteduser/{record.pk}/change/", {"email": "x@example.com"}
    )
    assert response.status_code in (200, 403)
    assert DeletedUser.objects.get().email == "alice@example.com"
