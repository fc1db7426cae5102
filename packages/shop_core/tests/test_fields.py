import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop_core.conf import AppSettings
from shop_core.fields import (
    AsciiDigitsField,
    AsciiDigitsMixin,
    IdField,
    has_other_digits,
    validate_phone,
)
from shop_core.pagination import ShopPagination


class Owner(serializers.Serializer):
    user = IdField(queryset=User.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1.5, "incorrect_type"),
        ("١", "incorrect_type"),
        (True, "incorrect_type"),
        (0, "does_not_exist"),
        (2**70, "does_not_exist"),
        ("9" * 30, "does_not_exist"),
    ],
)
def test_id_field_refuses_what_drf_would_bend(value, code):
    User.objects.create(pk=1, username="one")
    serializer = Owner(data={"user": value})
    assert not serializer.is_valid()
    assert serializer.errors["user"][0].code == code


@pytest.mark.django_db
@pytest.mark.parametrize("value", [1, "1"])
def test_id_field_accepts_ascii_ids(value):
    user = User.objects.create(pk=1, username="one")
    serializer = Owner(data={"user": value})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["user"] == user


class Contact(AsciiDigitsMixin, serializers.Serializer):
    phone = AsciiDigitsField(max_length=20)
    age = serializers.IntegerField(required=False)
    day = serializers.DateField(required=False)


def test_ascii_digits_field_normalises():
    serializer = Contact(data={"phone": "+7 ٩٩٩"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["phone"] == "+7 999"


@pytest.mark.parametrize(("field", "value"), [("age", "١٢"), ("day", "٢٠٢٦-01-01")])
def test_other_digits_in_number_and_date_fields_are_refused(field, value):
    serializer = Contact(data={"phone": "1", field: value})
    assert not serializer.is_valid()
    assert serializer.errors[field][0].code == "non_ascii_digits"


def test_has_other_digits():
    assert has_other_digits("12٣")
    assert not has_other_digits("123")
    assert not has_other_digits(123)


sizes = AppSettings("SHOP_CORE_TEST", {"PAGE_SIZE": 2, "MAX_PAGE_SIZE": 3})


class Paginated(ShopPagination):
    app_settings = sizes


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99"])
def test_a_missing_page_is_a_400_with_a_code(page):
    request = Request(APIRequestFactory().get("/", {"page": page}))
    with pytest.raises(serializers.ValidationError) as caught:
        Paginated().paginate_queryset(list(range(5)), request)
    assert caught.value.detail["page"][0].code == "invalid_page"


def test_page_sizes_come_from_the_settings_and_are_capped():
    request = Request(APIRequestFactory().get("/", {"page_size": "50"}))
    assert Paginated().paginate_queryset(list(range(10)), request) == [0, 1, 2]
    request = Request(APIRequestFactory().get("/"))
    assert Paginated().paginate_queryset(list(range(10)), request) == [0, 1]


@pytest.mark.parametrize(
    "phone", ["+7 495 123-45-67", "8 (800) 555-35-35", "12345", "+٧ ٤٩٥ 1234567"]
)
def test_phones_people_type_pass(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["", "1234", "+" + "1" * 16, "phone", "+7 495 ext 5", "²²²²²"])
def test_other_phones_are_refused(phone):
    with pytest.raises(DjangoValidationError) as caught:
        validate_phone(phone)
    assert caught.value.code == "invalid_phone"
