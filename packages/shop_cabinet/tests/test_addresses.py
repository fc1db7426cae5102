"""Address book: services (default rules) and the API (ownership, 400s)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shop_cabinet import services
from shop_cabinet.hooks import resolve_address
from shop_cabinet.models import Address

from . import factories, hooks
from .errors import attrs, problems

URL = "/api/v1/cabinet/addresses/"
pytestmark = pytest.mark.django_db


def defaults(user: Any, kind: str = "shipping") -> list[int]:
    return list(
        Address.objects.filter(user=user, kind=kind, is_default=True).values_list("pk", flat=True)
    )


class TestDefaults:
    def test_first_address_of_each_kind_becomes_default(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        legal = factories.address(user, kind="legal")
        assert first.is_default and legal.is_default
        assert not second.is_default
        assert defaults(user) == [first.pk]
        assert defaults(user, "legal") == [legal.pk]

    def test_new_default_moves_the_flag(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user, is_default=True)
        assert defaults(user) == [second.pk]
        first.refresh_from_db()
        assert not first.is_default

    def test_set_default_moves_the_flag_within_the_kind_only(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        legal = factories.address(user, kind="legal")
        services.set_default_address(address=second)
        assert defaults(user) == [second.pk]
        assert defaults(user, "legal") == [legal.pk]
        services.set_default_address(address=first)
        assert defaults(user) == [first.pk]

    def test_deleting_the_default_promotes_the_newest_other(self, user: Any) -> None:
        first = factories.address(user)
        factories.address(user)
        newest = factories.address(user)
        promoted = services.delete_address(address=first)
        assert promoted is not None and promoted.pk == newest.pk
        assert defaults(user) == [newest.pk]

    def test_deleting_a_non_default_keeps_the_default(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        assert services.delete_address(address=second) is None
        assert defaults(user) == [first.pk]

    def test_deleting_the_last_leaves_none(self, user: Any) -> None:
        only = factories.address(user)
        assert services.delete_address(address=only) is None
        assert not Address.objects.filter(user=user).exists()

    def test_moving_the_default_to_another_kind_settles_both(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        services.update_address(address=first, kind="legal")
        assert defaults(user) == [second.pk]
        assert defaults(user, "legal") == [first.pk]

    def test_moving_into_a_kind_with_a_default_keeps_that_default(self, user: Any) -> None:
        legal = factories.address(user, kind="legal")
        shipping = factories.address(user)
        services.update_address(address=shipping, kind="legal")
        assert defaults(user, "legal") == [legal.pk]
        assert defaults(user) == []

    def test_moving_into_an_empty_kind_makes_it_its_default(self, user: Any) -> None:
        factories.address(user)
        second = factories.address(user)
        services.update_address(address=second, kind="legal", is_default=False)
        assert defaults(user, "legal") == [second.pk]

    def test_an_edit_never_writes_back_a_flag_it_read_earlier(self, user: Any) -> None:
        """The request read the address while it was the default; another request
        made a second address the default before this edit was saved."""
        first = factories.address(user)
        second = factories.address(user)
        stale = Address.objects.get(pk=first.pk)
        services.set_default_address(address=second)
        edited = services.update_address(address=stale, city="Tver")
        assert defaults(user) == [second.pk]
        assert edited.city == "Tver" and edited.is_default is False

    def test_an_edit_keeps_fields_it_was_not_given(self, user: Any) -> None:
        address = factories.address(user)
        stale = Address.objects.get(pk=address.pk)
        services.update_address(address=address, street="Arbat")
        services.update_address(address=stale, city="Tver")
        address.refresh_from_db()
        assert (address.street, address.city) == ("Arbat", "Tver")

    def test_a_deleted_address_cannot_take_the_default(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        stale = Address.objects.get(pk=second.pk)
        services.delete_address(address=second)
        for call in (
            lambda: services.set_default_address(address=stale),
            lambda: services.update_address(address=stale, city="Tver"),
            lambda: services.delete_address(address=stale),
        ):
            with pytest.raises(Address.DoesNotExist):
                call()
        assert defaults(user) == [first.pk]

    def test_the_database_refuses_two_defaults(self, user: Any) -> None:
        first = factories.address(user)
        second = factories.address(user)
        with pytest.raises(IntegrityError), transaction.atomic():
            Address.objects.filter(pk=second.pk).update(is_default=True)
        assert defaults(user) == [first.pk]

    def test_other_users_defaults_are_independent(self, user: Any, other_user: Any) -> None:
        mine = factories.address(user)
        theirs = factories.address(other_user)
        assert mine.is_default and theirs.is_default


class TestPostalCode:
    @pytest.mark.parametrize("code", ["101000", "690091", "344000"])
    def test_russian_codes_pass(self, user: Any, code: str) -> None:
        assert factories.address(user, postal_code=code).postal_code == code

    @pytest.mark.parametrize("code", ["", "12345", "1234567", "012345", "712345", "10100a"])
    def test_bad_codes_fail(self, user: Any, code: str) -> None:
        with pytest.raises(ValidationError) as info:
            factories.address(user, postal_code=code)
        assert "postal_code" in info.value.message_dict

    @pytest.mark.parametrize(
        "code",
        ["²⁰⁰⁰⁰⁰", "1٢٥٠٠a", "٠١٢٣٤٥", "1 25009"],  # superscripts are not digits
    )
    def test_other_scripts_do_not_sneak_past(self, user: Any, code: str) -> None:
        with pytest.raises(ValidationError) as info:
            factories.address(user, postal_code=code)
        assert info.value.error_dict["postal_code"][0].code == "invalid_postal_code"

    def test_the_validator_is_a_hook(self, user: Any, settings: Any) -> None:
        settings.SHOP_CABINET = {"POSTAL_CODE_VALIDATOR": "tests.hooks.validate_uk_postcode"}
        assert factories.address(user, postal_code="SW1A 1AA").postal_code == "SW1A 1AA"
        with pytest.raises(ValidationError):
            factories.address(user, postal_code="101000")


class TestDigitsOfOtherScripts:
    """A phone or postal code typed with other scripts' digits is stored with ASCII digits."""

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("1٢٥٠٠٩", "125009"),
            ("۱۰۱۰۰۰", "101000"),
            ("१०१०००", "101000"),
            ("１０１０００", "101000"),
        ],
    )
    def test_postal_codes(self, user: Any, typed: str, stored: str) -> None:
        address = factories.address(user, postal_code=typed)
        address.refresh_from_db()
        assert address.postal_code == stored
        assert resolve_address(user, address.pk)["postal_code"] == stored

    def test_phones(self, user: Any) -> None:
        address = factories.address(user, phone="+٧ (٤٩٥) ١٢٣-٤٥-٦٧")
        address.refresh_from_db()
        assert address.phone == "+7 (495) 123-45-67"

    def test_an_update_stores_ascii_too(self, user: Any) -> None:
        address = factories.address(user)
        services.update_address(address=address, postal_code="٦٩٠٠٩١", phone="+٧٤٩٥١٢٣٤٥٦٧")
        address.refresh_from_db()
        assert (address.postal_code, address.phone) == ("690091", "+74951234567")

    def test_over_the_api(self, api: Any, user: Any) -> None:
        response = api.post(
            URL,
            {**TestApi.payload, "postal_code": "1٢٥٠٠٩", "phone": "+٧ ٨١٢ ٥٥٥-٠٠-١١"},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert response.data["postal_code"] == "125009"
        assert response.data["phone"] == "+7 812 555-00-11"
        assert Address.objects.get(user=user).postal_code == "125009"

    def test_a_hosts_hook_gets_ascii_digits(self, user: Any, settings: Any) -> None:
        settings.SHOP_CABINET = {"POSTAL_CODE_VALIDATOR": "tests.hooks.record_postal_code"}
        hooks.SEEN.clear()
        factories.address(user, postal_code="SW1A ١AA")
        assert hooks.SEEN and set(hooks.SEEN) == {"SW1A 1AA"}


class TestResolver:
    def test_returns_the_order_snapshot(self, user: Any) -> None:
        address = factories.address(user, building="7A", apartment="")
        assert resolve_address(user, address.pk) == {
            "recipient": "Ivan Petrov",
            "phone": "+7 495 123-45-67",
            "city": "Moscow",
            "street": "Tverskaya",
            "building": "7A",
            "apartment": "",
            "postal_code": "101000",
        }

    @pytest.mark.parametrize("bad", [None, "abc", 10**9])
    def test_unknown_ids_fail(self, user: Any, bad: Any) -> None:
        with pytest.raises(ValidationError):
            resolve_address(user, bad)

    def test_another_users_address_is_not_found(self, user: Any, other_user: Any) -> None:
        theirs = factories.address(other_user)
        with pytest.raises(ValidationError) as info:
            resolve_address(user, theirs.pk)
        assert info.value.code == "not_found"


class TestApi:
    payload = {
        "kind": "shipping",
        "recipient": "Anna",
        "phone": "+7 (812) 555-00-11",
        "city": "Saint Petersburg",
        "street": "Nevsky",
        "building": "28",
        "postal_code": "191186",
    }

    def test_anonymous_is_refused(self, client: Any) -> None:
        assert client.get(URL).status_code == 403

    def test_create_list_update_delete(self, api: Any) -> None:
        response = api.post(URL, self.payload, format="json")
        assert response.status_code == 201, response.data
        first = response.data
        assert first["is_default"] is True
        second = api.post(URL, {**self.payload, "street": "Liteyny"}, format="json").data
        assert second["is_default"] is False

        listed = api.get(URL).data
        assert listed["count"] == 2
        assert listed["results"][0]["id"] == first["id"]  # default first

        response = api.patch(f"{URL}{second['id']}/", {"apartment": "5"}, format="json")
        assert response.status_code == 200 and response.data["apartment"] == "5"

        assert api.delete(f"{URL}{first['id']}/").status_code == 204
        assert api.get(f"{URL}{second['id']}/").data["is_default"] is True

    def test_set_default_action(self, api: Any, user: Any) -> None:
        factories.address(user)
        second = factories.address(user)
        response = api.post(f"{URL}{second.pk}/set-default/")
        assert response.status_code == 200 and response.data["is_default"] is True
        assert defaults(user) == [second.pk]

    def test_patch_is_default_true_moves_it(self, api: Any, user: Any) -> None:
        factories.address(user)
        second = factories.address(user)
        response = api.patch(f"{URL}{second.pk}/", {"is_default": True}, format="json")
        assert response.status_code == 200
        assert defaults(user) == [second.pk]

    def test_cannot_unset_the_only_default(self, api: Any, user: Any) -> None:
        first = factories.address(user)
        response = api.patch(f"{URL}{first.pk}/", {"is_default": False}, format="json")
        assert response.status_code == 400
        assert problems(response) == [("is_default", "default_required")]
        assert defaults(user) == [first.pk]

    def test_bad_input_is_a_400_with_field_errors(self, api: Any) -> None:
        response = api.post(
            URL,
            {**self.payload, "postal_code": "12", "phone": "call me", "kind": "moon"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["type"] == "validation_error"
        assert set(problems(response)) == {
            ("postal_code", "invalid_postal_code"),
            ("phone", "invalid_phone"),
            ("kind", "invalid_choice"),
        }
        response = api.post(URL, {}, format="json")
        assert response.status_code == 400 and ("recipient", "required") in problems(response)
        assert "is_default" not in attrs(response)  # optional

    def test_an_address_deleted_meanwhile_is_404(
        self, api: Any, user: Any, monkeypatch: Any
    ) -> None:
        """The view found the address; a concurrent request deleted it before the write."""
        address = factories.address(user)

        def gone(**kwargs: Any) -> None:
            raise Address.DoesNotExist

        for name in ("set_default_address", "update_address", "delete_address"):
            monkeypatch.setattr(services, name, gone)
        detail = f"{URL}{address.pk}/"
        for response in (
            api.post(f"{detail}set-default/"),
            api.patch(detail, {"city": "Tver"}, format="json"),
            api.delete(detail),
        ):
            assert response.status_code == 404
            assert problems(response) == [(None, "not_found")]

    def test_second_user_gets_404_on_every_object_endpoint(self, user: Any, other_api: Any) -> None:
        mine = factories.address(user)
        detail = f"{URL}{mine.pk}/"
        assert other_api.get(detail).status_code == 404
        assert other_api.patch(detail, {"city": "X"}, format="json").status_code == 404
        assert other_api.put(detail, self.payload, format="json").status_code == 404
        assert other_api.post(f"{detail}set-default/").status_code == 404
        assert other_api.delete(detail).status_code == 404
        assert other_api.get(URL).data["count"] == 0
        mine.refresh_from_db()
        assert mine.city == "Moscow"

    def test_list_runs_a_constant_number_of_queries(
        self, api: Any, user: Any, django_assert_max_num_queries: Any
    ) -> None:
        for _ in range(15):
            factories.address(user)
        with django_assert_max_num_queries(2):  # count + page
            response = api.get(URL, {"page_size": 50})
        assert len(response.data["results"]) == 15


def test_errors_are_translated_to_russian(user: Any) -> None:
    from django.utils import translation

    with translation.override("ru"):
        with pytest.raises(ValidationError) as info:
            factories.address(user, postal_code="12")
        assert info.value.message_dict["postal_code"] == [
            "Введите российский почтовый индекс: шесть цифр, например 101000."
        ]
