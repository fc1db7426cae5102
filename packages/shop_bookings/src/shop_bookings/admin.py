from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import (
    Booking,
    BookingNotification,
    BookingStatusChange,
    CalendarFeedToken,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)


def _user_search(path: str) -> list[str]:
    """Search fields for a user foreign key, whatever the user model calls its fields."""
    user_model = get_user_model()
    names = dict.fromkeys([user_model.USERNAME_FIELD, user_model.get_email_field_name()])
    return [f"{path}__{name}" for name in names]


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["name", "price", "duration_minutes", "requires_confirmation", "is_active"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class ScheduleExceptionInline(admin.TabularInline):
    model = ScheduleException
    extra = 0


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "city", "time_zone", "experience_years", "is_active"]
    list_filter = ["is_active", "city"]
    search_fields = ["display_name", "city", *_user_search("user")]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["photo_thumbnail", "created_at", "updated_at"]
    inlines = [ServiceInline, WorkingHoursInline, ScheduleExceptionInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "specialist",
        "price",
        "duration_minutes",
        "requires_confirmation",
        "is_active",
    ]
    list_filter = ["is_active", "requires_confirmation"]
    search_fields = ["name", "specialist__display_name"]
    list_select_related = ["specialist"]
    raw_id_fields = ["specialist"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["specialist", "weekday", "start", "end"]
    list_filter = ["weekday"]
    list_select_related = ["specialist"]
    raw_id_fields = ["specialist"]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(admin.ModelAdmin):
    list_display = ["specialist", "date", "is_day_off", "start", "end", "note"]
    list_filter = ["is_day_off"]
    date_hierarchy = "date"
    list_select_related = ["specialist"]
    raw_id_fields = ["specialist"]


class BookingStatusChangeInline(admin.TabularInline):
    model = BookingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the API so they are recorded and signalled."""

    list_display = ["id", "service_name", "specialist", "client", "start", "end", "status"]
    list_filter = ["status"]
    date_hierarchy = "start"
    search_fields = ["service_name", "specialist__display_name", *_user_search("client")]
    list_select_related = ["specialist", "client"]
    raw_id_fields = ["service", "specialist", "client"]
    readonly_fields = [
        "service",
        "specialist",
        "client",
        "start",
        "end",
        "blocked_start",
        "blocked_end",
        "status",
        "service_name",
        "price",
        "idempotency_key",
        "request_fingerprint",
        "created_at",
        "updated_at",
    ]
    inlines = [BookingStatusChangeInline]

    def has_add_permission(self, request):
        return False  # bookings are made through services.create_booking (slot checks)


class UnsentFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("no", _("not sent yet")), ("yes", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


@admin.register(BookingNotification)
class BookingNotificationAdmin(admin.ModelAdmin):
    """Read-only outbox: what was sent, what failed and why (retried by the cron command)."""

    list_display = ["id", "booking", "event", "due", "sent_at", "attempts"]
    list_filter = [UnsentFilter, "event"]
    list_select_related = ["booking"]
    readonly_fields = [
        "booking",
        "event",
        "change",
        "created_at",
        "due",
        "sent_at",
        "attempts",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = _user_search("user")
    raw_id_fields = ["user"]
    readonly_fields = ["token", "created_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected feed tokens"))
    def revoke(self, request, queryset):
        queryset.delete()
