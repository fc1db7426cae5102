"""Business rules that write: the address book, favourites, personal-data exports.

Every function takes keyword-only arguments and runs in one transaction.
Address-book writes of a user are serialized by locking the user's row and
decide from the row as stored then, so "the first address of a kind becomes
the default" and "one default per kind" hold under concurrent requests too
(the partial unique constraint is the last line of defence). The README's
"Concurrency guarantees" lists every read-then-write and what guards it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conf import app_settings
from .export import build_export
from .models import Address, Favourite, PersonalDataExport
from .signals import favourites_changed

PENDING = PersonalDataExport.Status.PENDING
# A pending export this old is queued again by ``requeue_exports`` (its first
# queuing may have failed; a job that is being built is skipped by ``run_export``).
REQUEUE_AFTER = timedelta(minutes=10)

# The fields of an address-book entry a caller sets (the API serializer and the
# admin use this list too).
ADDRESS_FIELDS = (
    "kind",
    "recipient",
    "phone",
    "city",
    "street",
    "building",
    "apartment",
    "postal_code",
)


def _lock_user(user_id: Any) -> None:
    """Serialize the writes of one user's address book (a no-op on SQLite, which
    serializes writers anyway)."""
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))


def _locked(address: Address) -> Address:
    """Lock the owner's address book and read ``address`` as stored now.

    Callers decide from this row, never from the instance they were handed,
    which a concurrent request may have changed (default moved, kind changed)
    or deleted (``Address.DoesNotExist``: the API answers 404).
    """
    _lock_user(address.user_id)
    return Address.objects.get(pk=address.pk)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address field(s): {', '.join(sorted(unknown))}")


def _promote_default(*, user_id: Any, kind: str) -> Address | None:
    """Make the newest address of the kind the default (after the old one left)."""
    newest = Address.objects.filter(user_id=user_id, kind=kind).order_by("-created", "-pk").first()
    if newest is not None:
        Address.objects.filter(pk=newest.pk).update(is_default=True)
        newest.is_default = True
    return newest


def _clear_default(*, user_id: Any, kind: str, keep: Any) -> None:
    # Cleared before the new default is set: the partial unique index is
    # checked statement by statement.
    Address.objects.filter(user_id=user_id, kind=kind, is_default=True).exclude(pk=keep).update(
        is_default=False
    )


def create_address(*, user: Any, is_default: bool = False, **fields: Any) -> Address:
    """Add an address; the first of its kind, or one asked to be, becomes the default."""
    _check_fields(fields)
    address = Address(user=user, **fields)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic():
        _lock_user(user.pk)
        siblings = Address.objects.filter(user=user, kind=address.kind)
        if is_default:
            siblings.filter(is_default=True).update(is_default=False)
        address.is_default = is_default or not siblings.exists()
        address.save()
    return address


def update_address(*, address: Address, **fields: Any) -> Address:
    """Change the given fields of an address (other fields are left as stored).

    ``is_default=True`` makes it the default; a new ``kind`` moves it, and the
    default flag is settled in both kinds (the kind it leaves promotes another
    address; a kind without a default takes this one). The only default is
    never switched off. Raises ``Address.DoesNotExist`` if it was deleted meanwhile.
    """
    make_default = bool(fields.pop("is_default", False))
    _check_fields(fields)
    for name, value in fields.items():
        setattr(address, name, value)
    address.full_clean(exclude=["user", "is_default"])
    changes = {name: getattr(address, name) for name in fields}  # as cleaned (ASCII digits)
    with transaction.atomic():
        current = _locked(address)
        kind = changes.get("kind", current.kind)
        moving = kind != current.kind
        siblings = Address.objects.filter(user_id=current.user_id, kind=kind).exclude(pk=current.pk)
        if moving and not siblings.filter(is_default=True).exists():
            make_default = True
        if make_default:
            _clear_default(user_id=current.user_id, kind=kind, keep=current.pk)
        # Only the given fields and the flag are written: the rest of the
        # handed-in instance may be stale.
        address.is_default = make_default or (current.is_default and not moving)
        address.save(update_fields=[*changes, "is_default"])
        if moving and current.is_default:
            _promote_default(user_id=current.user_id, kind=current.kind)
    address.refresh_from_db()
    return address


def set_default_address(*, address: Address) -> Address:
    """Make ``address`` the default of its kind; the previous default loses the flag
    in the same transaction (never zero, never two). Raises ``Address.DoesNotExist``
    if it was deleted meanwhile."""
    with transaction.atomic():
        current = _locked(address)
        _clear_default(user_id=current.user_id, kind=current.kind, keep=current.pk)
        if not current.is_default:
            Address.objects.filter(pk=current.pk).update(is_default=True)
            current.is_default = True
    return current


def delete_address(*, address: Address) -> Address | None:
    """Delete an address; if it was the default, the newest other one of its kind
    becomes the default. Returns the newly promoted address, if any. Raises
    ``Address.DoesNotExist`` if it was deleted meanwhile."""
    with transaction.atomic():
        current = _locked(address)
        current.delete()
        if not current.is_default:
            return None
        return _promote_default(user_id=current.user_id, kind=current.kind)


def add_favourite(*, user: Any, product: Any) -> tuple[Favourite, bool]:
    """Add a product to the user's favourites; ``(favourite, created)``.

    Adding twice, even at the same moment, leaves one row: the unique
    constraint refuses the second insert and the loser reads the winner's row.
    Raises ``ValidationError`` (code ``does_not_exist``) if the product was
    deleted meanwhile.
    """
    try:
        with transaction.atomic():
            favourite, created = Favourite.objects.get_or_create(user=user, product=product)
    except IntegrityError:  # a concurrent add won, or the product is gone (deferred FK)
        favourite = Favourite.objects.filter(user=user, product=product).first()
        if favourite is None:
            raise ValidationError(
                {"product_id": ValidationError(_("No such product."), code="does_not_exist")}
            ) from None
        created = False
    if created:
        transaction.on_commit(
            lambda: favourites_changed.send(sender=Favourite, user=user, product=product),
            robust=True,
        )
    return favourite, created


def remove_favourite(*, user: Any, product_id: int) -> bool:
    """Remove a product from the user's favourites; False if it was not there."""
    with transaction.atomic():
        deleted, _count = Favourite.objects.filter(user=user, product_id=product_id).delete()
    if deleted:
        transaction.on_commit(
            lambda: favourites_changed.send(sender=Favourite, user=user, product=None),
            robust=True,
        )
    return bool(deleted)


def request_export(*, user: Any) -> PersonalDataExport:
    """The user's pending export, recorded now unless one is already pending.

    At most one pending export per user: a partial unique constraint refuses a
    second, so re-requesting (even at the same moment) returns the pending one.
    Either way the job is queued after commit; queuing it again is harmless
    (``run_export`` builds a pending job once), and it re-drives a job whose
    first queuing failed. A queue that fails is logged, never an error of the
    request: the job stays pending for the next request or
    ``prune_personal_data_exports`` to queue again.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                job = PersonalDataExport.objects.create(user=user)
            break
        except IntegrityError:  # one is pending already
            job = PersonalDataExport.objects.filter(user=user, status=PENDING).first()
            if job is not None:  # else it finished meanwhile: record a new one
                break
    else:  # pragma: no cover  (a pending job appearing and finishing three times in a row)
        raise RuntimeError("Could not record a personal-data export.")
    export_id = job.pk
    transaction.on_commit(lambda: enqueue_export(export_id), robust=True)
    return job


def enqueue_export(export_id: Any) -> None:
    """Queue ``tasks.prepare_export`` for a pending export on ``EXPORT_TASK_BACKEND``."""
    from .tasks import prepare_export

    prepare_export.using(backend=app_settings.EXPORT_TASK_BACKEND).enqueue(str(export_id))


def run_export(*, export_id: Any) -> PersonalDataExport | None:
    """Build and store the archive of a pending export (the task's body).

    The pending row stays locked while its archive is built, so a second
    run of the same job (queued twice) skips it instead of building it again.
    Returns None when there is nothing to do (deleted, done, or being built).
    A failing provider marks the export failed and re-raises.
    """
    failure: Exception | None = None
    with transaction.atomic():
        job = (
            PersonalDataExport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=export_id, status=PENDING)
            .first()
        )
        if job is None:
            return None
        try:
            with transaction.atomic():
                job.data = build_export(job.user)
            job.status = PersonalDataExport.Status.READY
        except Exception as exc:  # recorded, then re-raised for the task backend to log
            failure, job.data, job.status = exc, None, PersonalDataExport.Status.FAILED
        job.finished = timezone.now()
        job.save(update_fields=["data", "status", "finished"])
    if failure is not None:
        raise failure
    return job


def requeue_exports(*, older_than: timedelta = REQUEUE_AFTER, now: Any = None) -> int:
    """Queue again the pending exports requested more than ``older_than`` ago (their
    first queuing may have failed); returns how many."""
    cutoff = (now or timezone.now()) - older_than
    pending = PersonalDataExport.objects.filter(status=PENDING, created__lt=cutoff)
    ids = list(pending.values_list("pk", flat=True))
    for export_id in ids:
        enqueue_export(export_id)
    return len(ids)


def prune_exports(*, now: Any = None) -> int:
    """Delete exports finished more than ``EXPORT_RETENTION_HOURS`` ago; returns how many.
    Pending ones are kept (see ``requeue_exports``)."""
    cutoff = (now or timezone.now()) - timedelta(hours=app_settings.EXPORT_RETENTION_HOURS)
    deleted, _count = PersonalDataExport.objects.filter(finished__lt=cutoff).delete()
    return deleted
