"""The specialist's own profile: created on first save, photo with a thumbnail.

Two first saves at once make one profile: ``get_or_create`` on the unique
``user`` column lets the second INSERT fail and read the first one's row,
which is then locked for the update.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shop_core.uploads import make_thumbnail

from ..conf import app_settings
from ..exceptions import NotSpecialist
from ..models import Specialist
from ..permissions import user_is_specialist
from ..users import name_of

_UNSET: Any = object()


def _make_thumbnail(specialist: Specialist) -> None:
    specialist.photo.open("rb")
    try:
        thumbnail = make_thumbnail(specialist.photo, tuple(app_settings.PHOTO_THUMBNAIL_SIZE))
    finally:
        specialist.photo.close()
    specialist.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)


def _set_photo(specialist: Specialist, photo: Any) -> None:
    if not photo:
        specialist.photo = None
        specialist.photo_thumbnail = None
        return
    specialist.photo = photo
    specialist.save()  # stores the file, which the thumbnail is made from
    try:
        _make_thumbnail(specialist)
    except Exception:
        specialist.photo.delete(save=False)  # the row rolls back; the file would stay behind
        raise


def save_specialist_profile(*, user: Any, data: dict[str, Any], photo: Any = _UNSET) -> Specialist:
    """Create or update the user's specialist profile; ``photo=None`` removes the photo.

    Only users the IS_SPECIALIST hook accepts may have a profile
    (``NotSpecialist`` otherwise). A new profile is named ``str(user)`` until
    it says otherwise. A new photo gets a thumbnail; django-cleanup removes
    replaced files after the commit.
    """
    if not user_is_specialist(user):
        raise NotSpecialist()
    with transaction.atomic():
        Specialist.objects.get_or_create(user=user, defaults={"display_name": name_of(user)[:150]})
        specialist = Specialist.objects.select_for_update().get(user=user)
        for field, value in data.items():
            setattr(specialist, field, value)
        if photo is not _UNSET:
            _set_photo(specialist, photo)
        specialist.save()
    return specialist
