"""API views: parse (serializers, filter sets), call a service or selector, serialize.

Every view derives from ``BookingsAPIMixin`` (``shop_core``'s ``ShopAPIMixin``
first): errors answer in the one shape of the shop packages, each with its
code, whatever ``EXCEPTION_HANDLER`` the host project has. The codes the
services raise are documented in the schema with drf-standardized-errors'
``extend_validation_errors`` (400s) and ``openapi.error_response`` (others).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from shop_core.fields import ID_PATTERN
from shop_core.filters import FilterBackend
from shop_core.idempotency import HEADER as IDEMPOTENCY_HEADER
from shop_core.idempotency import key_from
from shop_core.pagination import ShopPagination
from shop_core.parsers import SafeJSONParser
from shop_core.views import ShopAPIMixin

from . import ics, selectors, services, slots
from .conf import app_settings
from .exceptions import ChangeRefused, LimitReached, NoProfile, ServiceUnavailable
from .filters import BookingFilter, ScheduleExceptionFilter, ServiceFilter, SpecialistFilter
from .models import (
    Booking,
    BookingHold,
    CalendarFeedToken,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)
from .openapi import error_response
from .permissions import IsSpecialist, ReadOnlyOrSpecialist
from .serializers import (
    BookingActionSerializer,
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingSerializer,
    FeedTokenSerializer,
    HoldSerializer,
    RescheduleSerializer,
    ScheduleExceptionSerializer,
    ServiceSerializer,
    SlotDaysSerializer,
    SlotListSerializer,
    SlotQuerySerializer,
    SpecialistProfileSerializer,
    SpecialistSerializer,
    WorkingHoursSerializer,
)
from .validators import PHOTO_CODES

OBJECT_WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
WRITE_METHODS = OBJECT_WRITE_METHODS | {"POST"}
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
BOOKING_ACTIONS = ["confirm", "cancel", "complete", "no_show"]


class BookingsPagination(ShopPagination):
    app_settings = app_settings


def documents_pages(view: type) -> type:
    """A list view's 400 for a page that does not exist (``ShopPagination``)."""
    return extend_validation_errors(["invalid_page"], field_name="page", actions=["list"])(view)


def documents_date_filters(*names: str) -> Any:
    """The codes of shop_core's bounded date filters, which drf-standardized-errors
    cannot read from the filter fields."""

    def decorate(view: type) -> type:
        for name in names:
            codes = ["invalid", "out_of_range", "non_ascii_digits"]
            view = extend_validation_errors(codes, field_name=name, actions=["list"])(view)
        return view

    return decorate


class BookingsAPIMixin(ShopAPIMixin):
    """Base of every view of the package.

    - the error convention and depth-safe parsing of ``ShopAPIMixin``;
    - object ids in URLs are ASCII digits that fit a bigint (else a 404);
    - a write parses its body even when the view reads none of it, so a
      malformed or too-deep body is a 400 everywhere, never silently ignored.
    """

    lookup_value_regex = ID_PATTERN
    pagination_class = BookingsPagination
    filter_backends = [FilterBackend]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS:
            request.data  # noqa: B018 - parsing is the point


class LockedWritesMixin:
    """PUT, PATCH and DELETE read their row with a lock, in one transaction.

    Without it two concurrent PATCHes of different fields both read the old
    row and the second save writes the first one's field back (lost update);
    the lock comes before validation, so what is validated is what is written.
    """

    def filter_queryset(self, queryset: Any) -> Any:
        # get_object() filters the queryset: the one place every view's rows pass.
        queryset = super().filter_queryset(queryset)  # type: ignore[misc]
        if self.request.method in OBJECT_WRITE_METHODS:  # type: ignore[attr-defined]
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            return super().update(request, *args, **kwargs)  # type: ignore[misc]

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)  # type: ignore[misc]


class OwnRowsMixin(LockedWritesMixin):
    """A specialist's own rows: the serializer validates, ``services.schedule`` writes."""

    def perform_create(self, serializer: Any) -> None:
        model = serializer.Meta.model
        data = serializer.validated_data
        serializer.instance = services.create_own(model, user=self.request.user, data=data)

    def perform_update(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.update_own(serializer.instance, data=data)

    def perform_destroy(self, instance: Any) -> None:
        services.delete_own(instance)


# --- specialists --------------------------------------------------------------------------

SLOT_QUERY_CODES = {
    "service": ["required", "incorrect_type", "does_not_exist", "inactive_service"],
    "from": ["required", "invalid", "out_of_range", "non_ascii_digits"],
    "to": [
        "required",
        "invalid",
        "out_of_range",
        "non_ascii_digits",
        "empty_range",
        "range_too_long",
    ],
    "tz": ["blank", "max_length", "invalid_time_zone"],
    "group": ["invalid_choice"],
}
SLOTS_RESPONSE = PolymorphicProxySerializer(
    component_name="Slots",
    serializers=[SlotListSerializer, SlotDaysSerializer],
    resource_type_field_name=None,
)
MY_PROFILE_ERRORS = {
    403: error_response("MySpecialistProfile403", ["permission_denied", "not_specialist"]),
    404: error_response("MySpecialistProfile404", ["not_found", "no_profile"]),
}


def _document_slot_query(view: type) -> type:
    for name, codes in SLOT_QUERY_CODES.items():
        view = extend_validation_errors(codes, field_name=name, actions=["slots"])(view)
    return view


@documents_pages
@_document_slot_query
@extend_validation_errors(list(PHOTO_CODES), field_name="photo", actions=["me"])
# DRF's SearchFilter refuses a NUL character in ?search= without naming the parameter.
@extend_validation_errors(["null_characters_not_allowed"], field_name=None, actions=["list"])
class SpecialistViewSet(BookingsAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The public catalogue of active specialists; ``me`` is the caller's own profile."""

    serializer_class = SpecialistSerializer
    permission_classes = [AllowAny]
    filter_backends = [FilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = SpecialistFilter
    search_fields = ["display_name", "bio"]
    ordering_fields = ["display_name", "experience_years", "min_price"]
    ordering = ["display_name", "pk"]

    def get_queryset(self) -> Any:
        if self.action == "slots":  # no services list nor lowest price needed
            return Specialist.objects.filter(is_active=True)
        return selectors.public_specialists()

    def get_object(self) -> Any:
        # ``me`` (also OPTIONS on it, where the action is "metadata") has no pk:
        # the object is the caller's own profile.
        if self.action in ("me", "metadata") and self.lookup_field not in self.kwargs:
            specialist = selectors.own_specialist(self.request.user)
            if specialist is None:
                raise NoProfile()
            self.check_object_permissions(self.request, specialist)
            return specialist
        return super().get_object()

    @extend_schema(
        summary="Free start times of a service",
        description="Each slot with its UTC start and end and local start; with "
        "`group=day`, the compact form: local start times only, grouped by date.",
        parameters=[SlotQuerySerializer],
        responses={200: SLOTS_RESPONSE},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def slots(self, request: Request, pk: str | None = None) -> Response:
        specialist = self.get_object()
        query = SlotQuerySerializer(data=request.query_params, context={"specialist": specialist})
        query.is_valid(raise_exception=True)
        found = query.validated_data
        starts = selectors.free_slots_for(
            specialist=specialist,
            service=found["service"],
            window_start=found["window_start"],
            window_end=found["window_end"],
        )
        form = SlotDaysSerializer if found["group"] == "day" else SlotListSerializer
        return Response(
            form.represent(
                specialist=specialist.pk,
                service=found["service"].pk,
                time_zone=found["time_zone"],
                tz=found["tz"],
                starts=starts,
                duration=selectors.service_spec(found["service"]).duration,
            )
        )

    @extend_schema(
        summary="My specialist profile",
        request=SpecialistProfileSerializer,  # as JSON, a form or multipart (a photo)
        responses={200: SpecialistProfileSerializer, **MY_PROFILE_ERRORS},
    )
    @action(
        detail=False,
        methods=["get", "put", "patch"],
        permission_classes=[IsSpecialist],
        # SafeJSONParser: depth-checked, and a JSONParser any schema class recognises.
        parser_classes=[SafeJSONParser, MultiPartParser, FormParser],
        serializer_class=SpecialistProfileSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def me(self, request: Request) -> Response:
        current = selectors.own_specialist(request.user)
        if request.method == "GET":
            return Response(self._profile(self.get_object()))
        serializer = SpecialistProfileSerializer(
            current, data=request.data, partial=request.method == "PATCH"
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photo = {"photo": data.pop("photo")} if "photo" in data else {}
        specialist = services.save_specialist_profile(user=request.user, data=data, **photo)
        return Response(self._profile(specialist))

    def _profile(self, specialist: Any) -> Any:
        return SpecialistProfileSerializer(specialist, context={"request": self.request}).data


# --- services and schedules ---------------------------------------------------------------


@documents_pages
@extend_validation_errors(["profile_required"], field_name=NON_FIELD, actions=["create"])
@extend_validation_errors(["service_booked"], field_name=NON_FIELD, actions=["destroy"])
class ServiceViewSet(BookingsAPIMixin, OwnRowsMixin, viewsets.ModelViewSet):
    """Services: everyone reads; a specialist writes only their own (others get 404)."""

    serializer_class = ServiceSerializer
    permission_classes = [ReadOnlyOrSpecialist]
    filter_backends = [FilterBackend, filters.OrderingFilter]
    filterset_class = ServiceFilter
    ordering_fields = ["name", "price", "duration_minutes"]
    ordering = ["name", "pk"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Service.objects.none()
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return selectors.services_visible_to(self.request.user)
        return Service.objects.filter(specialist__user=self.request.user).select_related(
            "specialist"
        )


class _OwnScheduleViewSet(BookingsAPIMixin, OwnRowsMixin, viewsets.ModelViewSet):
    permission_classes = [IsSpecialist]
    queryset: Any = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.queryset.none()
        return self.queryset.filter(specialist__user=self.request.user)


INTERVAL_ACTIONS = ["create", "update", "partial_update"]


@documents_pages
@extend_validation_errors(["profile_required"], field_name=NON_FIELD, actions=["create"])
@extend_validation_errors(["end_before_start"], field_name="end", actions=INTERVAL_ACTIONS)
class WorkingHoursViewSet(_OwnScheduleViewSet):
    """The caller's weekly working hours (wall-clock, in their profile's time zone)."""

    queryset = WorkingHours.objects.all()
    serializer_class = WorkingHoursSerializer


@documents_pages
@documents_date_filters("date", "date__gte", "date__lte")
@extend_validation_errors(["profile_required"], field_name=NON_FIELD, actions=["create"])
@extend_validation_errors(["end_before_start"], field_name="end", actions=INTERVAL_ACTIONS)
@extend_validation_errors(["hours_required"], field_name="start", actions=INTERVAL_ACTIONS)
@extend_validation_errors(["day_off_hours"], field_name="is_day_off", actions=INTERVAL_ACTIONS)
class ScheduleExceptionViewSet(_OwnScheduleViewSet):
    """The caller's date exceptions: days off, or other hours on a date."""

    queryset = ScheduleException.objects.all()
    serializer_class = ScheduleExceptionSerializer
    filterset_class = ScheduleExceptionFilter


# --- bookings -----------------------------------------------------------------------------

ACTION_RESPONSES = {
    200: BookingDetailSerializer,
    403: error_response("BookingAction403", ["permission_denied", "wrong_role"]),
}
CREATE_RESPONSES = {
    201: BookingDetailSerializer,
    200: OpenApiResponse(BookingDetailSerializer, description="Idempotent replay"),
    422: error_response("BookingCreate422", ["idempotency_key_reused"]),
}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A retry with the same key returns the first booking (200).",
)


@documents_pages
@documents_date_filters("start_after", "start_before")
# service and start: optional fields, each required when no hold is given.
@extend_validation_errors(
    [*slots.REFUSALS, *LimitReached.codes, "out_of_range", "non_ascii_digits", "required"],
    field_name="start",
    actions=["create"],
)
@extend_validation_errors(
    ["does_not_exist", "incorrect_type", "hold_expired"], field_name="hold", actions=["create"]
)
@extend_validation_errors(
    ["blank", "max_length", "invalid_time_zone"], field_name="time_zone", actions=["create"]
)
@extend_validation_errors(
    [*slots.REFUSALS, "out_of_range", "non_ascii_digits", "cutoff"],
    field_name="start",
    actions=["reschedule"],
)
@extend_validation_errors(
    [*ServiceUnavailable.codes, "non_ascii_digits", "required"],
    field_name="service",
    actions=["create", "reschedule"],
)
@extend_validation_errors(
    ["invalid_idempotency_key"], field_name="idempotency_key", actions=["create"]
)
@extend_validation_errors(
    list(ChangeRefused.codes), field_name="status", actions=[*BOOKING_ACTIONS, "reschedule"]
)
class BookingViewSet(
    BookingsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bookings where the caller is the client or the specialist."""

    permission_classes = [IsAuthenticated]
    filter_backends = [FilterBackend, filters.OrderingFilter]
    filterset_class = BookingFilter
    ordering_fields = ["start", "created_at"]
    ordering = ["-start", "-pk"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Booking.objects.none()
        queryset = selectors.bookings_visible_to(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related("history")
        return queryset

    def get_serializer_class(self) -> Any:
        return {
            "list": BookingSerializer,
            "create": BookingCreateSerializer,
            "reschedule": RescheduleSerializer,
            **dict.fromkeys(BOOKING_ACTIONS, BookingActionSerializer),
        }.get(self.action, BookingDetailSerializer)

    def _detail(self, booking: Booking, status_code: int = status.HTTP_200_OK) -> Response:
        booking = self.get_queryset().get(pk=booking.pk)
        context = self.get_serializer_context()
        return Response(BookingDetailSerializer(booking, context=context).data, status=status_code)

    def _validated(self, request: Request) -> dict[str, Any]:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=BookingCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=CREATE_RESPONSES,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._validated(request)
        options = dict(
            client=request.user,
            comment=data["comment"],
            time_zone=data["time_zone"],
            idempotency_key=key_from(request),
        )
        if "hold" in data:
            booking, created = services.book_hold(hold=data["hold"], **options)
        else:
            booking, created = services.create_booking(
                service=data["service"], start=data["start"], **options
            )
        return self._detail(booking, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _act(self, request: Request, operation: Any) -> Response:
        booking = self.get_object()
        comment = self._validated(request)["comment"]
        return self._detail(operation(booking=booking, by=request.user, comment=comment))

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The specialist confirms a pending booking."""
        return self._act(request, services.confirm_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The client (until the cutoff) or the specialist cancels."""
        return self._act(request, services.cancel_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """The specialist marks the booking completed (once it has started)."""
        return self._act(request, services.complete_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: str | None = None) -> Response:
        """The specialist marks a no-show (once the booking has started)."""
        return self._act(request, services.mark_no_show)

    @extend_schema(request=RescheduleSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        """The client (until the cutoff) or the specialist moves the booking to another
        free start; the other party is told."""
        booking = self.get_object()
        data = self._validated(request)
        moved = services.reschedule_booking(
            booking=booking, start=data["start"], by=request.user, comment=data["comment"]
        )
        return self._detail(moved)


@documents_pages
@extend_validation_errors(
    [*slots.REFUSALS, *LimitReached.codes, "required", "out_of_range", "non_ascii_digits"],
    field_name="start",
    actions=["create"],
)
@extend_validation_errors(
    [*ServiceUnavailable.codes, "required", "does_not_exist", "incorrect_type", "non_ascii_digits"],
    field_name="service",
    actions=["create"],
)
@extend_validation_errors(["hold_expired"], field_name="hold", actions=["destroy"])
class HoldViewSet(
    BookingsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's held slots: hold one for ``HOLD_MINUTES``, book it (``POST bookings/``
    with ``hold``) or give it back (DELETE). Others' holds are 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = HoldSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return BookingHold.objects.none()
        return selectors.live_holds_of(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.hold_slot(
            client=self.request.user, service=data["service"], start=data["start"]
        )

    def perform_destroy(self, instance: BookingHold) -> None:
        services.release_hold(client=self.request.user, hold=instance)


# --- calendar feeds -----------------------------------------------------------------------


def _feed_payload(request: Request, token: CalendarFeedToken) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("shop_bookings:feed", args=[token.token]))
    return {"token": token.token, "url": url, "created_at": token.created_at}


class FeedTokenView(BookingsAPIMixin, APIView):
    """The caller's private calendar feed URL: GET shows (creates), POST rotates, DELETE revokes."""

    permission_classes = [IsAuthenticated]
    serializer_class = FeedTokenSerializer

    @extend_schema(responses={200: FeedTokenSerializer})
    def get(self, request: Request) -> Response:
        return Response(_feed_payload(request, services.get_feed_token(user=request.user)))

    @extend_schema(request=None, responses={200: FeedTokenSerializer})
    def post(self, request: Request) -> Response:
        return Response(_feed_payload(request, services.rotate_feed_token(user=request.user)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.revoke_feed_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return b""  # error bodies have no iCalendar form; the status code says it


class FeedView(BookingsAPIMixin, APIView):
    """The ICS feed of a token's user: bookings as client and as specialist."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        summary="Private iCalendar feed",
        responses={(200, "text/calendar"): OpenApiTypes.STR, 404: None},
    )
    def get(self, request: Request, token: str) -> Response:
        feed = get_object_or_404(CalendarFeedToken.objects.select_related("user"), token=token)
        bookings = selectors.feed_bookings(feed.user)
        body = ics.feed(bookings, user=feed.user, domain=app_settings.FEED_DOMAIN)
        response = Response(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="bookings.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
