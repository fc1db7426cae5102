"""Forms of the bookings pages: they parse input; shop_bookings decides."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop_bookings.models import BookingStatus, Weekday
from shop_core.bounds import validate_date_bounds

#: Every IANA name the system's zone database knows (what the browser reports).
ZONES = sorted(zoneinfo.available_timezones())
#: How many weeks ahead the slot picker pages (the package's horizon refuses beyond it).
MAX_WEEKS = 26


class ZoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Your time zone"))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("%(value)s is not a known IANA time zone.")},
        )
        super().__init__(choices=[(name, name) for name in ZONES], **kwargs)


class PickerForm(forms.Form):
    """The slot picker's query: the visitor's zone and the week shown."""

    tz = ZoneField(required=False)
    week = forms.IntegerField(required=False, min_value=0, max_value=MAX_WEEKS)


class BookForm(forms.Form):
    """A picked slot: its instant (with an offset) and the zone it was shown in."""

    start = forms.DateTimeField(validators=[validate_date_bounds])
    tz = ZoneField(widget=forms.HiddenInput)
    # One key per rendered picker: sending it twice makes one booking.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean_start(self) -> Any:
        start = self.cleaned_data["start"]
        if start.utcoffset() is None:  # a slot's value always carries its offset
            raise forms.ValidationError(_("Pick one of the free slots."), code="invalid")
        return start


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(validators=[validate_date_bounds])
    tz = ZoneField(widget=forms.HiddenInput, required=False)

    clean_start = BookForm.clean_start


class StatusForm(forms.Form):
    """A specialist's button: the status to move a booking to."""

    to = forms.ChoiceField(choices=BookingStatus.choices)


class HoursForm(forms.Form):
    """Renders the working-hours form; the package's serializer validates the rules."""

    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(
        label=_("To"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("00:00 means midnight."),
    )


class ExceptionForm(forms.Form):
    """Renders the date-exception form; the package's serializer validates the rules."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_day_off = forms.BooleanField(label=_("Day off"), required=False, initial=True)
    start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("To"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
