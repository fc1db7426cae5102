"""Bookings pages: specialists, the slot picker in the visitor's own time zone,
my bookings (cancel, reschedule) and the specialist's desk.

The visitor's zone: the ``tz`` query parameter (the picker's select), else the
``tz`` cookie (set by the picker, or by bookings.js from the browser's own
zone), else the site's ``TIME_ZONE``. Every rule (what is free, cutoffs,
allowed moves) is shop_bookings'.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shop_bookings.models import Booking, ScheduleException, Service, Specialist, WorkingHours
from shop_bookings.selectors import (
    bookings_visible_to,
    free_slots_for,
    own_specialist,
    public_specialists,
    services_visible_to,
)
from shop_bookings.serializers import ScheduleExceptionSerializer, WorkingHoursSerializer
from shop_bookings.services import (
    allowed_moves,
    can_reschedule,
    cancel_booking,
    change_status,
    create_booking,
    create_own,
    delete_own,
    reschedule_booking,
)
from shop_core.errors import ShopError
from shop_core.idempotency import IdempotencyKeyReused

from ..forms_bookings import (
    ZONES,
    BookForm,
    ExceptionForm,
    HoursForm,
    PickerForm,
    RescheduleForm,
    StatusForm,
)

TZ_COOKIE = "tz"
TZ_COOKIE_AGE = 365 * 24 * 3600
PAST_PER_PAGE = 20
DESK_PER_PAGE = 20
#: The desk lists bookings from this long ago on (a no-show is marked after the start).
DESK_LOOKBACK = timedelta(days=7)


def cookie_zone(request: HttpRequest) -> str:
    """The zone of the ``tz`` cookie if it names one, else the site's."""
    name = request.COOKIES.get(TZ_COOKIE, "")
    return name if name in ZONES else settings.TIME_ZONE


def remember_zone(response: HttpResponse, name: str) -> HttpResponse:
    response.set_cookie(TZ_COOKIE, name, max_age=TZ_COOKIE_AGE, samesite="Lax")
    return response


def midnight(day: Any, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


# --- Specialists and the slot picker ----------------------------------------


def specialists(request: HttpRequest) -> HttpResponse:
    return render(
        request, "storefront/bookings/specialists.html", {"specialists": public_specialists()}
    )


def picker(
    request: HttpRequest, service: Service, *, moving: Booking | None = None
) -> dict[str, Any]:
    """The picker's context: a week of free slots grouped by the visitor's local date.

    ``moving``: a booking being rescheduled: the slots overlapping its own
    time are free to it, its current start is left out. ``status`` is 400
    when the query was bad (an unknown zone: the site's is used).
    """
    form = PickerForm(request.GET)
    valid = form.is_valid()
    asked = form.cleaned_data if valid else {}
    week = asked.get("week") or 0
    name = asked.get("tz") or cookie_zone(request)
    zone = zoneinfo.ZoneInfo(name)
    first = timezone.now().astimezone(zone).date() + timedelta(weeks=week)
    days = [first + timedelta(days=n) for n in range(7)]
    starts = free_slots_for(
        specialist=service.specialist,
        service=service,
        window_start=midnight(days[0], zone),
        window_end=midnight(days[-1] + timedelta(days=1), zone),
        exclude_booking_id=moving.pk if moving else None,
    )
    if moving is not None:
        starts = [start for start in starts if start != moving.start]
    by_day: dict[Any, list[datetime]] = {day: [] for day in days}
    for start in starts:
        by_day[start.astimezone(zone).date()].append(start)
    return {
        "service": service,
        "specialist": service.specialist,
        "zone_form": form if not valid else PickerForm(initial={"tz": name, "week": week}),
        "zone": name,
        "zone_differs": name != service.specialist.time_zone,
        "days": [{"date": day, "slots": by_day[day]} for day in days],
        "week": week,
        "previous_week": week - 1 if week > 0 else None,
        "next_week": week + 1 if week < PickerForm.base_fields["week"].max_value else None,
        "status": 200 if valid else 400,
        "remember": asked.get("tz") or None,
    }


def show_picker(
    request: HttpRequest, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    response = render(
        request,
        "storefront/bookings/service.html",
        context,
        status=status or context["status"],
    )
    return remember_zone(response, context["remember"]) if context["remember"] else response


def service_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A service's slot picker; a picked slot (POST) books it for the logged-in visitor."""
    service = services_visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    context = picker(request, service)
    if request.method != "POST":
        context["form"] = BookForm(initial={"tz": context["zone"]})
        return show_picker(request, context)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = BookForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return show_picker(request, context, status=400)
    try:
        booking, _created = create_booking(
            client=request.user,
            service=service,
            start=form.cleaned_data["start"],
            time_zone=form.cleaned_data["tz"],
            idempotency_key=str(form.cleaned_data["key"]),
        )
    except IdempotencyKeyReused as exc:  # the page was sent for another slot before
        context["form"] = BookForm(initial={"tz": form.cleaned_data["tz"]})
        context["error"] = _("This page was used for a booking already: pick the time again.")
        return show_picker(request, context, status=exc.status_code)
    except ShopError as exc:  # taken, too soon, limits...: the package's words
        context["error"] = str(exc.detail)
        return show_picker(request, context, status=exc.status_code)
    messages.success(request, booked_message(booking, zoneinfo.ZoneInfo(form.cleaned_data["tz"])))
    return remember_zone(redirect("storefront:my_bookings"), form.cleaned_data["tz"])


def booked_message(booking: Booking, zone: zoneinfo.ZoneInfo) -> str:
    start = booking.start.astimezone(zone)
    return _("Booked: %(service)s with %(specialist)s on %(day)s at %(time)s.") % {
        "service": booking.service_name,
        "specialist": booking.specialist.display_name,
        "day": start.strftime("%Y-%m-%d"),
        "time": start.strftime("%H:%M"),
    }


# --- My bookings --------------------------------------------------------------


def client_bookings(user: Any) -> QuerySet[Booking]:
    return bookings_visible_to(user).filter(client=user)


def own_booking(request: HttpRequest, pk: int) -> Booking:
    booking = client_bookings(request.user).filter(pk=pk).first()
    if booking is None:
        raise Http404
    return booking


@login_required
def my_bookings(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    user, now = request.user, timezone.now()
    upcoming = list(client_bookings(user).filter(end__gt=now).order_by("start", "pk"))
    for booking in upcoming:
        booking.can_cancel = "canceled" in allowed_moves(booking, by=user, now=now)
        booking.can_move = can_reschedule(booking, by=user, now=now)
    past = client_bookings(user).filter(end__lte=now).order_by("-start", "-pk")
    context = {
        "upcoming": upcoming,
        "past": Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page")),
        "zone": cookie_zone(request),
        "error": error,
    }
    return render(request, "storefront/bookings/my_bookings.html", context, status=status)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = own_booking(request, pk)
    try:
        cancel_booking(booking=booking, by=request.user)
    except ShopError as exc:
        return my_bookings(request, error=str(exc.detail), status=exc.status_code)
    messages.success(request, _("The booking is canceled."))
    return redirect("storefront:my_bookings")


@login_required
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The picker of the booking's service; a picked slot moves the booking there."""
    booking = own_booking(request, pk)
    context = {**picker(request, booking.service, moving=booking), "booking": booking}
    if request.method != "POST":
        context["form"] = RescheduleForm(initial={"tz": context["zone"]})
        return show_picker(request, context)
    form = RescheduleForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return show_picker(request, context, status=400)
    try:
        moved = reschedule_booking(
            booking=booking, start=form.cleaned_data["start"], by=request.user
        )
    except ShopError as exc:
        context["error"] = str(exc.detail)
        return show_picker(request, context, status=exc.status_code)
    zone = zoneinfo.ZoneInfo(form.cleaned_data["tz"] or context["zone"])
    start = moved.start.astimezone(zone)
    messages.success(
        request,
        _("Moved to %(day)s at %(time)s.")
        % {"day": start.strftime("%Y-%m-%d"), "time": start.strftime("%H:%M")},
    )
    return redirect("storefront:my_bookings")


# --- The specialist's desk ---------------------------------------------------


def specialist_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, with a specialist profile (else 403); the view gets the profile."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        profile = own_specialist(request.user)
        if profile is None:
            raise PermissionDenied
        return view(request, profile, *args, **kwargs)

    return wrapper


@specialist_only
def specialist_desk(
    request: HttpRequest,
    profile: Specialist,
    *,
    forms: dict[str, Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user, now = request.user, timezone.now()
    rows = bookings_visible_to(user).filter(specialist=profile, end__gte=now - DESK_LOOKBACK)
    page = Paginator(rows.order_by("start", "pk"), DESK_PER_PAGE).get_page(request.GET.get("page"))
    for booking in page:
        booking.moves = allowed_moves(booking, by=user, now=now)
    today = now.astimezone(profile.zone).date()
    context = {
        "profile": profile,
        "page": page,
        "hours": profile.working_hours.all(),
        "exceptions": profile.schedule_exceptions.filter(date__gte=today),
        "hours_form": HoursForm(),
        "exception_form": ExceptionForm(),
        **(forms or {}),
        "error": error,
    }
    return render(request, "storefront/bookings/desk.html", context, status=status)


@require_POST
@specialist_only
def desk_status(request: HttpRequest, profile: Specialist, pk: int) -> HttpResponse:
    booking = bookings_visible_to(request.user).filter(specialist=profile, pk=pk).first()
    if booking is None:
        raise Http404
    form = StatusForm(request.POST)
    if not form.is_valid():
        return specialist_desk(request, error=_("Unknown action."), status=400)
    try:
        change_status(booking=booking, to_status=form.cleaned_data["to"], by=request.user)
    except ShopError as exc:
        return specialist_desk(request, error=str(exc.detail), status=exc.status_code)
    messages.success(request, _("The booking is updated."))
    return redirect("storefront:specialist_desk")


def add_own_row(request: HttpRequest, form: Form, serializer_class: type, model: type) -> bool:
    """Validate with the form (types) and the package's serializer (rules), then create.

    The serializer's errors go next to the form's fields.
    """
    form.is_valid()
    serializer = serializer_class(data=request.POST)
    if serializer.is_valid() and form.is_valid():
        create_own(model, user=request.user, data=serializer.validated_data)
        return True
    for field, problems in serializer.errors.items():
        target = field if field in form.fields else None
        if target is None or target not in form.errors:
            form.add_error(target, [str(problem) for problem in problems])
    return False


@require_POST
@specialist_only
def desk_add_hours(request: HttpRequest, profile: Specialist) -> HttpResponse:
    form = HoursForm(request.POST)
    if not add_own_row(request, form, WorkingHoursSerializer, WorkingHours):
        return specialist_desk(request, forms={"hours_form": form}, status=400)
    messages.success(request, _("The working hours are added."))
    return redirect("storefront:specialist_desk")


@require_POST
@specialist_only
def desk_add_exception(request: HttpRequest, profile: Specialist) -> HttpResponse:
    form = ExceptionForm(request.POST)
    if not add_own_row(request, form, ScheduleExceptionSerializer, ScheduleException):
        return specialist_desk(request, forms={"exception_form": form}, status=400)
    messages.success(request, _("The exception is added."))
    return redirect("storefront:specialist_desk")


@require_POST
@specialist_only
def desk_delete_hours(request: HttpRequest, profile: Specialist, pk: int) -> HttpResponse:
    row = profile.working_hours.filter(pk=pk).first()
    if row is None:
        raise Http404
    delete_own(row)
    messages.success(request, _("The working hours are removed."))
    return redirect("storefront:specialist_desk")


@require_POST
@specialist_only
def desk_delete_exception(request: HttpRequest, profile: Specialist, pk: int) -> HttpResponse:
    row = profile.schedule_exceptions.filter(pk=pk).first()
    if row is None:
        raise Http404
    delete_own(row)
    messages.success(request, _("The exception is removed."))
    return redirect("storefront:specialist_desk")
