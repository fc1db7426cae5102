"""Admin: orders with parts, lines and history; status moves go through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import TransitionError
from .models import (
    Cart,
    CartLine,
    Notification,
    Order,
    OrderLine,
    OrderPart,
    Status,
    StatusChange,
)
from .services import allowed_targets, move_part


class FormFieldsOnlyAdmin(admin.ModelAdmin):
    """Saves only the fields its form edits.

    A full ``save()`` writes back every column as read when the page was
    posted, so a status moved meanwhile (a supplier, a customer's cancel)
    would be undone.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            return super().save_model(request, obj, form, change)
        editable = [name for name in form.changed_data if name in form.fields]
        obj.save(update_fields=[*editable, "updated"])


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderPartInline(ReadOnlyInline):
    model = OrderPart
    fields = ["shop", "shop_name", "status", "total"]
    readonly_fields = fields


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "product_name",
        "model",
        "shop_name",
        "offer",
        "source",
        "reference",
        "unit_price",
        "quantity",
    ]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["created", "part", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields


def _move_action(target: str, label: Any):
    def move(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        moved, refused = 0, []
        for order in queryset.prefetch_related("parts"):
            for part in order.parts.all():
                if part.status == target:
                    continue
                part.order = order
                try:
                    move_part(
                        part=part,
                        to_status=target,
                        by=request.user,
                        comment=gettext("Changed in the admin."),
                    )
                    moved += 1
                except TransitionError as exc:
                    refused.append(f"{order} / {part.shop_name}: {exc.detail}")
        if moved:
            modeladmin.message_user(
                request, gettext("%(n)d order part(s) moved.") % {"n": moved}, messages.SUCCESS
            )
        for text in refused:
            modeladmin.message_user(request, text, messages.WARNING)

    move.__name__ = f"move_to_{target}"
    description = lazy(lambda: gettext("Move to “%(status)s”") % {"status": label}, str)()
    return admin.action(description=description)(move)


class PartStatusFilter(admin.SimpleListFilter):
    """Orders with a part in a status (an order's own status is its least advanced part's)."""

    title = _("status of a shop's part")
    parameter_name = "part_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return list(Status.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value():
            parts = OrderPart.objects.filter(order=OuterRef("pk"), status=self.value())
            return queryset.filter(Exists(parts))
        return queryset


@admin.register(Order)
class OrderAdmin(FormFieldsOnlyAdmin):
    """Orders with their totals and item counts, in the list's one query."""

    list_display = ["number", "user", "status", "items", "total", "created"]
    list_filter = ["status", PartStatusFilter, "parts__shop", "created"]
    search_fields = ["number", "email", "recipient", "phone"]
    date_hierarchy = "created"
    list_select_related = ["user"]
    readonly_fields = ["number", "user", "status", "total", "idempotency_key", "created"]
    fields = [
        "number",
        "user",
        "status",
        "total",
        "created",
        "email",
        *Order.ADDRESS_FIELDS,
        "comment",
        "idempotency_key",
    ]
    inlines = [OrderPartInline, OrderLineInline, StatusChangeInline]
    actions = [_move_action(value, label) for value, label in Status.choices]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from checkout only

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        # a subquery, not a join: a filter on parts must not multiply the lines
        items = (
            OrderLine.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(n=Sum("quantity"))
            .values("n")
        )
        return super().get_queryset(request).annotate(item_count=Subquery(items))

    @admin.display(description=_("items"), ordering="item_count")
    def items(self, order: Order) -> int:
        return order.item_count or 0


@admin.register(OrderPart)
class OrderPartAdmin(FormFieldsOnlyAdmin):
    list_display = ["order", "shop_name", "status", "total", "next_statuses"]
    list_filter = ["status", "shop"]
    search_fields = ["order__number", "shop_name"]
    list_select_related = ["order"]
    readonly_fields = ["order", "shop", "shop_name", "status", "total"]

    @admin.display(description=_("may move to"))
    def next_statuses(self, part: OrderPart) -> str:
        return ", ".join(allowed_targets(part.status))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["offer"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["user", "updated"]
    raw_id_fields = ["user"]
    inlines = [CartLineInline]

    def save_model(self, request: HttpRequest, obj: Cart, form: Any, change: bool) -> None:
        if change:  # lines change under the cart lock, as in the services (the page is atomic)
            Cart.objects.select_for_update().filter(pk=obj.pk).first()
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry, what gave up (``last_error``)."""

    list_display = ["order", "event", "created", "sent_at", "attempts", "due", "last_error"]
    list_filter = ["event", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["order__number"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send again (unsent ones, at the next run)"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = queryset.filter(sent_at__isnull=True).update(attempts=0, due=timezone.now())
        self.message_user(
            request, gettext("%(n)d notification(s) will be sent again.") % {"n": count}
        )
