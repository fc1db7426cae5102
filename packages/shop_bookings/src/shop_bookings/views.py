"""API views: parse, call a service or selector, serialize."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.bounds import OUT_OF_RANGE, validate_date_bounds
from shop_core.idempotency import key_from
from shop_core.views import SafeParsingMixin

from . import ics, selectors, services
from .conf import app_settings
from .filters import BookingFilter, ScheduleExceptionFilter, ServiceFilter, SpecialistFilter
from .models import (
    Booking,
    BookingStatus,
    CalendarFeedToken,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)
from .permissions import IsSpecialist, ReadOnlyOrSpecialist
from .serializers import (
    BookingActionSerializer,
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingSerializer,
    FeedTokenSerializer,
    RescheduleSerializer,
    ScheduleExceptionSerializer,
    ServiceSerializer,
    SlotListSerializer,
    SpecialistProfileSerializer,
    SpecialistSerializer,
    WorkingHoursSerializer,
)
from .validators import (
    NON_ASCII_DIGITS,
    NON_ASCII_DIGITS_MESSAGE,
    has_other_digits,
    parse_time_zone,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
OBJECT_WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
WRITE_METHODS = OBJECT_WRITE_METHODS | {"POST"}


class BookingsAPIMixin(SafeParsingMixin):
    """Base of every view of the package.

    - JSON nested too deep is a 400 ``too_deep`` whatever parsers the host
      configures (``SafeParsingMixin``);
    - object ids in URLs are ASCII digits (``\\d`` would also match "١٢");
    - a write parses its body even when the view reads none of it, so a
      malformed or too-deep body is a 400 everywhere, never silently ignored.
    """

    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS:
            request.data  # noqa: B018 - parsing is the point


class LockedWritesMixin:
    """PUT, PATCH and DELETE read their row with a lock, in one transaction.

    Without it two concurrent PATCHes of different fields both read the old
    row and the second save writes the first one's field back (lost update).
    """

    def filter_queryset(self, queryset):
        # get_object() filters the queryset: the one place every view's rows pass.
        queryset = super().filter_queryset(queryset)
        if self.request.method in OBJECT_WRITE_METHODS:
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)


class BookingsPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # A page that does not exist is bad input (400), not a missing object.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc


def _rejected(exc: services.BookingRejected) -> ValidationError:
    return ValidationError({exc.field: [str(exc.message)]}, code=exc.code)


def _own_specialist(user) -> Specialist:
    specialist = Specialist.objects.filter(user=user).first()
    if specialist is None:
        raise ValidationError(
            {"non_field_errors": [_("Create your specialist profile first (specialists/me/).")]}
        )
    return specialist


def _parse_bound(name: str, raw: str | None, tz: ZoneInfo) -> tuple[datetime, bool]:
    """An ISO date (midnight in ``tz``; flag True) or an ISO datetime (naive: in ``tz``).

    Outside 1970-9000 (``out_of_range``) is refused before any arithmetic: a
    date "to" adds a day and the engine a margin, which overflow near year 9999.
    """
    if not raw:
        raise ValidationError({name: [_("This parameter is required.")]})
    if has_other_digits(raw):
        raise ValidationError({name: [NON_ASCII_DIGITS_MESSAGE]}, code=NON_ASCII_DIGITS)
    try:
        day = parse_date(raw)
        if day is not None:
            moment, is_date = datetime.combine(day, datetime.min.time(), tzinfo=tz), True
        else:
            moment, is_date = parse_datetime(raw), False
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({name: [_("Use an ISO 8601 date or date-time.")]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    try:
        validate_date_bounds(moment)
    except DjangoValidationError as exc:
        raise ValidationError({name: list(exc.messages)}, code=OUT_OF_RANGE) from None
    return moment, is_date


SLOT_PARAMETERS = [
    OpenApiParameter("service", OpenApiTypes.INT, required=True, description="Service id"),
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        required=True,
        description="ISO date (midnight in `tz`) or date-time, inclusive",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        required=True,
        description="ISO date (inclusive whole day in `tz`) or date-time (exclusive)",
    ),
    OpenApiParameter(
        "tz",
        OpenApiTypes.STR,
        required=False,
        description="IANA zone of the client: reads dates and formats local_start "
        "(default: the specialist's zone)",
    ),
]


class SpecialistViewSet(BookingsAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The public catalogue of active specialists; ``me`` is the caller's own profile."""

    serializer_class = SpecialistSerializer
    permission_classes = [AllowAny]
    pagination_class = BookingsPagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = SpecialistFilter
    search_fields = ["display_name", "bio"]
    ordering_fields = ["display_name", "experience_years", "min_price"]
    ordering = ["display_name", "pk"]

    def get_queryset(self):
        if self.action == "slots":  # no services list nor lowest price needed
            return Specialist.objects.filter(is_active=True)
        return selectors.public_specialists()

    def get_object(self):
        # ``me`` (also OPTIONS on it, where the action is "metadata") has no pk:
        # the object is the caller's own profile.
        if self.action in ("me", "metadata") and self.lookup_field not in self.kwargs:
            specialist = Specialist.objects.filter(user=self.request.user).first()
            if specialist is None:
                raise NotFound(_("You have no specialist profile yet."))
            self.check_object_permissions(self.request, specialist)
            return specialist
        return super().get_object()

    @extend_schema(
        summary="Free start times of a service",
        parameters=SLOT_PARAMETERS,
        responses={200: SlotListSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def slots(self, request, pk=None):
        specialist = self.get_object()
        params = request.query_params
        try:
            service_id = int(params.get("service", ""))
        except ValueError:
            raise ValidationError({"service": [_("A service id is required.")]}) from None
        service = Service.objects.filter(pk=service_id, specialist=specialist).first()
        if service is None or not service.is_active:
            raise ValidationError({"service": [str(services.REFUSAL_MESSAGES["inactive_service"])]})
        tz_name = params.get("tz") or specialist.time_zone
        try:
            tz = parse_time_zone(tz_name)
        except ValueError:
            raise ValidationError({"tz": [_("Unknown time zone.")]}) from None
        window_start, _is_date = _parse_bound("from", params.get("from"), tz)
        window_end, is_date = _parse_bound("to", params.get("to"), tz)
        if is_date:  # a date "to" includes that whole day
            end_day: date = window_end.date() + timedelta(days=1)
            window_end = datetime.combine(end_day, datetime.min.time(), tzinfo=tz)
        if window_end <= window_start:
            raise ValidationError({"to": [_("'to' must be after 'from'.")]})
        if window_end - window_start > timedelta(days=app_settings.MAX_SLOTS_RANGE_DAYS):
            raise ValidationError(
                {
                    "to": [
                        _("The range is longer than %(days)s days.")
                        % {"days": app_settings.MAX_SLOTS_RANGE_DAYS}
                    ]
                }
            )
        found = selectors.free_slots_for(
            specialist=specialist,
            service=service,
            window_start=window_start,
            window_end=window_end,
        )
        return Response(
            SlotListSerializer.represent(
                specialist=specialist.pk,
                service=service.pk,
                time_zone=tz_name,
                tz=tz,
                starts=found,
                duration=timedelta(minutes=service.duration_minutes),
            )
        )

    @extend_schema(
        summary="My specialist profile",
        request={
            "multipart/form-data": SpecialistProfileSerializer,
            "application/json": SpecialistProfileSerializer,
        },
        responses={200: SpecialistProfileSerializer},
    )
    @action(
        detail=False,
        methods=["get", "put", "patch"],
        permission_classes=[IsSpecialist],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
        serializer_class=SpecialistProfileSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def me(self, request):
        current = Specialist.objects.filter(user=request.user).first()
        if request.method == "GET":
            if current is None:
                raise NotFound(_("You have no specialist profile yet."))
            return Response(SpecialistProfileSerializer(current, context={"request": request}).data)
        serializer = SpecialistProfileSerializer(
            current, data=request.data, partial=request.method == "PATCH"
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kwargs = {"photo": data.pop("photo")} if "photo" in data else {}
        try:
            specialist = services.save_specialist_profile(user=request.user, data=data, **kwargs)
        except services.BookingRejected as exc:
            raise _rejected(exc) from None
        return Response(SpecialistProfileSerializer(specialist, context={"request": request}).data)


class ServiceViewSet(BookingsAPIMixin, LockedWritesMixin, viewsets.ModelViewSet):
    """Services: everyone reads; a specialist writes only their own (others get 404)."""

    serializer_class = ServiceSerializer
    permission_classes = [ReadOnlyOrSpecialist]
    pagination_class = BookingsPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ServiceFilter
    ordering_fields = ["name", "price", "duration_minutes"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Service.objects.none()
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return selectors.services_visible_to(self.request.user)
        return Service.objects.filter(specialist__user=self.request.user).select_related(
            "specialist"
        )

    def perform_create(self, serializer):
        serializer.save(specialist=_own_specialist(self.request.user))

    def perform_destroy(self, instance):
        # The row is locked (LockedWritesMixin) and create_booking locks it too, so
        # a booking made meanwhile is seen here: PROTECT refuses, never a 500.
        try:
            instance.delete()
        except ProtectedError:
            raise ValidationError(
                {"non_field_errors": [_("This service has bookings: deactivate it instead.")]}
            ) from None


class _OwnScheduleViewSet(BookingsAPIMixin, LockedWritesMixin, viewsets.ModelViewSet):
    permission_classes = [IsSpecialist]
    pagination_class = BookingsPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.queryset.none()
        return self.queryset.filter(specialist__user=self.request.user)

    def perform_create(self, serializer):
        serializer.save(specialist=_own_specialist(self.request.user))


class WorkingHoursViewSet(_OwnScheduleViewSet):
    """The caller's weekly working hours (wall-clock, in their profile's time zone)."""

    queryset = WorkingHours.objects.all()
    serializer_class = WorkingHoursSerializer


class ScheduleExceptionViewSet(_OwnScheduleViewSet):
    """The caller's date exceptions: days off, or other hours on a date."""

    queryset = ScheduleException.objects.all()
    serializer_class = ScheduleExceptionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ScheduleExceptionFilter


ACTION_RESPONSES = {
    200: BookingDetailSerializer,
    400: OpenApiResponse(description="Not allowed now (field errors)"),
    403: OpenApiResponse(description="Not your role in this booking"),
}


class BookingViewSet(
    BookingsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bookings where the caller is the client or the specialist."""

    permission_classes = [IsAuthenticated]
    pagination_class = BookingsPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = BookingFilter
    ordering_fields = ["start", "created_at"]
    ordering = ["-start", "-pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Booking.objects.none()
        queryset = selectors.bookings_visible_to(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related("history")
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return BookingSerializer
        if self.action == "create":
            return BookingCreateSerializer
        if self.action == "reschedule":
            return RescheduleSerializer
        if self.action in ("confirm", "cancel", "complete", "no_show"):
            return BookingActionSerializer
        return BookingDetailSerializer

    def _detail(self, booking: Booking, status_code: int = 200) -> Response:
        booking = self.get_queryset().get(pk=booking.pk)
        return Response(
            BookingDetailSerializer(booking, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(
        request=BookingCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A retry with the same key returns the first booking (200).",
            )
        ],
        responses={
            201: BookingDetailSerializer,
            200: OpenApiResponse(BookingDetailSerializer, description="Idempotent replay"),
            400: OpenApiResponse(
                description="Field errors (start, service); invalid_idempotency_key"
            ),
            422: OpenApiResponse(
                description="Idempotency-Key reused for another request: "
                '{"detail": "...", "code": "idempotency_key_reused"}'
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            booking, created = services.create_booking(
                client=request.user,
                service=serializer.validated_data["service"],
                start=serializer.validated_data["start"],
                comment=serializer.validated_data["comment"],
                idempotency_key=key_from(request),
            )
        except services.BookingRejected as exc:
            raise _rejected(exc) from None
        return self._detail(booking, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _act(self, request, operation) -> Response:
        booking = self.get_object()
        serializer = BookingActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            booking = operation(
                booking=booking, by=request.user, comment=serializer.validated_data["comment"]
            )
        except services.BookingRejected as exc:
            raise _rejected(exc) from None
        except services.BookingActionForbidden:
            raise PermissionDenied(_("Your role in this booking does not allow this.")) from None
        return self._detail(booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The specialist confirms a pending booking."""
        return self._act(request, services.confirm_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The client (until the cutoff) or the specialist cancels."""
        return self._act(request, services.cancel_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The specialist marks the booking completed (once it has started)."""
        return self._act(request, services.complete_booking)

    @extend_schema(request=BookingActionSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The specialist marks a no-show (once the booking has started)."""
        return self._act(request, services.mark_no_show)

    @extend_schema(request=RescheduleSerializer, responses=ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """The client moves the booking to another free start, until the cutoff."""
        booking = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            booking = services.reschedule_booking(
                booking=booking,
                start=serializer.validated_data["start"],
                by=request.user,
                comment=serializer.validated_data["comment"],
            )
        except services.BookingRejected as exc:
            raise _rejected(exc) from None
        except services.BookingActionForbidden:
            raise PermissionDenied(_("Only the client may reschedule a booking.")) from None
        return self._detail(booking)


def _feed_payload(request, token: CalendarFeedToken) -> dict:
    url = request.build_absolute_uri(reverse("shop_bookings:feed", args=[token.token]))
    return {"token": token.token, "url": url, "created_at": token.created_at}


class FeedTokenView(BookingsAPIMixin, APIView):
    """The caller's private calendar feed URL: GET shows (creates), POST rotates, DELETE revokes."""

    permission_classes = [IsAuthenticated]
    serializer_class = FeedTokenSerializer

    @extend_schema(responses={200: FeedTokenSerializer})
    def get(self, request):
        return Response(_feed_payload(request, services.get_feed_token(user=request.user)))

    @extend_schema(request=None, responses={200: FeedTokenSerializer})
    def post(self, request):
        return Response(_feed_payload(request, services.rotate_feed_token(user=request.user)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.revoke_feed_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return b""  # error bodies have no iCalendar form; the status code says it


STATUS_TO_ICS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CANCELLED",
    BookingStatus.CANCELLED: "CANCELLED",
}


class FeedView(BookingsAPIMixin, APIView):
    """The ICS feed of a token's user: bookings as client and as specialist."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        summary="Private iCalendar feed",
        responses={(200, "text/calendar"): OpenApiTypes.STR, 404: None},
    )
    def get(self, request, token: str):
        feed = get_object_or_404(CalendarFeedToken.objects.select_related("user"), token=token)
        user = feed.user
        since = timezone.now() - timedelta(days=app_settings.FEED_PAST_DAYS)
        bookings = (
            Booking.objects.filter(Q(client=user) | Q(specialist__user=user), end__gte=since)
            .select_related("specialist", "client")
            .order_by("start", "pk")
        )
        domain = app_settings.FEED_DOMAIN
        events = []
        for booking in bookings:
            as_specialist = booking.specialist.user_id == user.pk
            other = (
                booking.client.get_full_name() or booking.client.get_username()
                if as_specialist
                else booking.specialist.display_name
            )
            events.append(
                {
                    "UID": f"booking-{booking.pk}@{domain}",
                    "DTSTAMP": booking.updated_at,
                    "LAST-MODIFIED": booking.updated_at,
                    "DTSTART": booking.start,
                    "DTEND": booking.end,
                    "SUMMARY": f"{booking.service_name} - {other}",
                    "DESCRIPTION": booking.comment,
                    "STATUS": STATUS_TO_ICS[booking.status],
                }
            )
        body = ics.render_calendar(
            name=_("Bookings"), prodid=f"-//{domain}//shop-bookings//EN", events=events
        )
        response = Response(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="bookings.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
