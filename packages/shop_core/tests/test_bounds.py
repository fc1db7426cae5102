import datetime as dt
from decimal import Decimal

import pytest
from rest_framework import serializers

from shop_core.bounds import (
    MONEY_MAX,
    BoundedDateField,
    BoundedDateTimeField,
    ascii_digits,
    money_fits,
)


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("0", True),
        (MONEY_MAX, True),
        (-MONEY_MAX, True),
        (MONEY_MAX + Decimal("0.01"), False),
        (Decimal("6000000000.00") * 2, False),
        ("NaN", False),
        ("Infinity", False),
        ("abc", False),
        (None, False),
    ],
)
def test_money_fits(value, fits):
    assert money_fits(value) is fits


class Dates(serializers.Serializer):
    start = BoundedDateTimeField()
    day = BoundedDateField(required=False)


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_datetimes_out_of_range_are_refused_with_a_code(value):
    serializer = Dates(data={"start": value})
    assert not serializer.is_valid()
    assert serializer.errors["start"][0].code == "out_of_range"


def test_dates_out_of_range_are_refused_with_a_code():
    serializer = Dates(data={"start": "2026-01-01T10:00:00Z", "day": "9999-01-01"})
    assert not serializer.is_valid()
    assert serializer.errors["day"][0].code == "out_of_range"


def test_dates_in_range_pass():
    serializer = Dates(data={"start": "2026-12-01T10:00:00+03:00", "day": "9000-12-31"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["start"] == dt.datetime(2026, 12, 1, 7, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("125009", "125009"), ("1٢٥٠٠٩", "125009"), ("+7 ९९९ 123", "+7 999 123"), ("abc", "abc")],
)
def test_ascii_digits(value, expected):
    assert ascii_digits(value) == expected


def test_out_of_range_message_is_translated_at_request_time():
    from django.utils import translation

    with translation.override("ru"):
        serializer = Dates(data={"start": "9999-12-31T00:00:00Z", "day": "0001-01-01"})
        assert not serializer.is_valid()
        assert "Даты" in serializer.errors["start"][0]
        assert "Даты" in serializer.errors["day"][0]
        assert "1970-01-01" in serializer.errors["start"][0]
