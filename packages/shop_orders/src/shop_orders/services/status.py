"""The order state machine: moving parts along allowed transitions, cancel.

Allowed moves come from ``SHOP_ORDERS["STATUS_TRANSITIONS"]``. Every move
first locks the order row, so moves of one order's parts queue up and each
recomputes the order's status from its parts' committed statuses; the move
itself is a conditional UPDATE (``WHERE status = <the status we checked>``),
so two concurrent moves of the same part cannot both win, and stock is
returned once only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shop_catalog.catalogue import catalogue_changed
from shop_catalog.models import Offer

from ..conf import app_settings
from ..exceptions import NON_FIELD, TransitionError
from ..models import Order, OrderLine, OrderPart, Status, StatusChange
from ..signals import external_item_canceled, order_status_changed

PIPELINE = list(Status.values)


def allowed_targets(status: str) -> list[str]:
    """Statuses an order part in ``status`` may move to."""
    return list(app_settings.STATUS_TRANSITIONS.get(status, []))


def overall_status(statuses: Iterable[str]) -> str:
    """An order's status from its parts' statuses.

    The least advanced status among parts that are not canceled; canceled
    when all are.
    """
    alive = [s for s in statuses if s != Status.CANCELED]
    if not alive:
        return Status.CANCELED
    return min(alive, key=PIPELINE.index)


def customer_can_cancel(part_statuses: Iterable[str]) -> bool:
    """Whether the customer may cancel an order whose parts are in ``part_statuses``.

    The one rule (the order serializer's ``can_cancel`` and ``cancel_order``
    use it): some part is not canceled yet, and every such part is in
    ``SHOP_ORDERS["CUSTOMER_CANCEL_STATUSES"]``.
    """
    alive = [status for status in part_statuses if status != Status.CANCELED]
    allowed = set(app_settings.CUSTOMER_CANCEL_STATUSES)
    return bool(alive) and all(status in allowed for status in alive)


def can_cancel(order: Order) -> bool:
    """``customer_can_cancel`` for ``order`` (reads ``order.parts.all()``: prefetch it)."""
    return customer_can_cancel(part.status for part in order.parts.all())


def _label(status: str) -> str:
    return str(Status(status).label) if status in PIPELINE else status


def _return_stock(part: OrderPart) -> None:
    per_offer: dict[int, int] = defaultdict(int)
    catalogue_lines = OrderLine.objects.filter(part=part, offer__isnull=False)
    for offer_id, quantity in catalogue_lines.values_list("offer_id", "quantity"):
        per_offer[offer_id] += quantity
    for offer_id, quantity in sorted(per_offer.items()):
        Offer.objects.filter(pk=offer_id).update(quantity=F("quantity") + quantity)
    if per_offer:
        catalogue_changed()  # cached catalogue pages show stock


def _lock_order(order_id: int) -> None:
    """Hold the order row until the transaction ends: moves of its parts queue up here."""
    Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()


def _refresh_order_status(order: Order) -> None:
    """Store the order's status derived from its parts (call with the order locked)."""
    status = overall_status(
        OrderPart.objects.filter(order_id=order.pk).values_list("status", flat=True)
    )
    now = timezone.now()
    if Order.objects.filter(pk=order.pk).exclude(status=status).update(status=status, updated=now):
        order.updated = now
        if status == Status.CANCELED:
            _release_external_items(order)
    order.status = status


def _release_external_items(order: Order) -> None:
    """A canceled order lets go of its external items and, on commit, says so for each."""
    held = OrderLine.objects.filter(order_id=order.pk, holds_item=True).exclude(source="")
    items = list(held.values_list("pk", "source", "reference"))
    if not items:
        return
    OrderLine.objects.filter(pk__in=[pk for pk, _source, _reference in items]).update(
        holds_item=False
    )
    for _pk, source, reference in items:
        transaction.on_commit(
            partial(
                external_item_canceled.send,
                sender=Order,
                source=source,
                reference=reference,
                order=order,
            ),
            robust=True,
        )


def _check_move(current: str, to_status: str) -> None:
    if to_status not in allowed_targets(current):
        raise TransitionError(
            _("An order that is %(from)s cannot become %(to)s.")
            % {"from": _label(current), "to": _label(to_status)},
            field="status",
        )


def move_part(
    *, part: OrderPart, to_status: str, by: Any = None, comment: str = ""
) -> StatusChange:
    """Move one order part to ``to_status`` and record who did it.

    Raises ``TransitionError`` for an unknown status, a move the transitions
    do not allow (``invalid_transition``, field ``status``), or a part changed
    meanwhile (``conflict``); nothing changes then. Moving to ``canceled``
    returns the part's stock. Updates ``order.status`` and sends
    ``order_status_changed``.
    """
    if to_status not in PIPELINE:
        raise TransitionError(
            _("Unknown status %(status)s.") % {"status": to_status}, field="status"
        )
    with transaction.atomic():
        _lock_order(part.order_id)
        current = OrderPart.objects.filter(pk=part.pk).values_list("status", flat=True).get()
        _check_move(current, to_status)
        moved = OrderPart.objects.filter(pk=part.pk, status=current).update(
            status=to_status, updated=timezone.now()
        )
        if not moved:
            raise TransitionError(
                _("The order was changed meanwhile; reload it and try again."),
                code="conflict",
                field=NON_FIELD,
            )
        part.status = to_status
        if to_status == Status.CANCELED:
            _return_stock(part)
        return _record_move(part, current, by=by, comment=comment)


def _record_move(part: OrderPart, from_status: str, *, by: Any, comment: str) -> StatusChange:
    """The history row, the order's derived status and the signal of a part just moved."""
    change = StatusChange.objects.create(
        order_id=part.order_id,
        part=part,
        from_status=from_status,
        to_status=part.status,
        by=by,
        comment=comment,
    )
    _refresh_order_status(part.order)
    order_status_changed.send(
        sender=Order,
        order=part.order,
        part=part,
        change=change,
        from_status=from_status,
        to_status=part.status,
        by=by,
    )
    return change


def cancel_order(*, order: Order, by: Any = None, comment: str = "") -> list[StatusChange]:
    """The customer cancels a whole order: every part that is not canceled yet.

    Allowed only while ``customer_can_cancel`` holds; otherwise
    ``TransitionError`` (``already_canceled`` or ``not_cancelable``) and
    nothing changes. Returns the recorded changes.
    """
    with transaction.atomic():
        _lock_order(order.pk)  # no supplier move slips between the check and the cancel
        parts = [p for p in order.parts.order_by("pk") if p.status != Status.CANCELED]
        if not parts:
            raise TransitionError(
                _("The order is already canceled."), code="already_canceled", field=NON_FIELD
            )
        if not customer_can_cancel(part.status for part in parts):
            late = [p for p in parts if p.status not in app_settings.CUSTOMER_CANCEL_STATUSES]
            raise TransitionError(
                _("The order can no longer be canceled: it is already %(status)s.")
                % {"status": _label(late[0].status)},
                code="not_cancelable",
                field=NON_FIELD,
            )
        changes = []
        for part in parts:
            part.order = order
            changes.append(move_part(part=part, to_status=Status.CANCELED, by=by, comment=comment))
    return changes
