"""Specialist photos (decoding, thumbnail, cleanup), migrations, schema, admin."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from shop_bookings.models import Specialist

from .factories import error_codes, make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/bookings/"


def image_file(name="me.png", fmt="PNG", size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_photo_upload_makes_a_thumbnail_and_cleans_up(api_as, django_capture_on_commit_callbacks):
    user = make_user(specialist=True)
    api = api_as(user)
    response = api.put(
        f"{BASE}specialists/me/",
        {"time_zone": "Europe/Berlin", "photo": image_file()},
        format="multipart",
    )
    assert response.status_code == 200, response.data
    specialist = Specialist.objects.get(user=user)
    assert specialist.display_name == str(user)
    with Image.open(specialist.photo_thumbnail.path) as thumb:
        assert max(thumb.size) <= 256 and thumb.format == "JPEG"
    old_photo, old_thumb = specialist.photo.path, specialist.photo_thumbnail.path

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"{BASE}specialists/me/", {"photo": image_file("new.png")}, format="multipart"
        )
    assert response.status_code == 200
    assert not os.path.exists(old_photo) and not os.path.exists(old_thumb)
    specialist.refresh_from_db()
    assert os.path.exists(specialist.photo.path)


@pytest.mark.parametrize(
    ("upload", "config", "code"),
    [
        (
            SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
            {},
            "image_invalid",
        ),
        (None, {"PHOTO_FORMATS": ["JPEG"]}, "image_format"),  # a PNG is refused
        (None, {"PHOTO_MAX_BYTES": 100}, "image_too_large"),
        (None, {"PHOTO_MAX_PIXELS": 1000}, "image_pixels"),
    ],
)
def test_bad_photos_are_400(api_as, upload, config, code):
    api = api_as(make_user(specialist=True))
    with override_settings(SHOP_BOOKINGS=config):
        response = api.put(
            f"{BASE}specialists/me/",
            {"time_zone": "UTC", "photo": upload or image_file()},
            format="multipart",
        )
    assert response.status_code == 400 and error_codes(response) == {"photo": [code]}
    assert not Specialist.objects.exists()


def test_no_missing_migrations():
    call_command("makemigrations", "shop_bookings", "--check", "--dry-run", verbosity=0)


def test_admin_pages_render(client, django_user_model):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    specialist = make_specialist()
    make_service(specialist)
    for name in (
        "specialist",
        "service",
        "workinghours",
        "scheduleexception",
        "booking",
        "bookingnotification",
        "bookingnotification/?sent=no",
        "calendarfeedtoken",
    ):
        assert client.get(f"/admin/shop_bookings/{name}/").status_code == 200, name
    assert client.get(f"/admin/shop_bookings/specialist/{specialist.pk}/change/").status_code == 200


def test_russian_translation_is_compiled():
    from django.utils import translation

    from shop_bookings.exceptions import MESSAGES

    with translation.override("ru"):
        assert str(MESSAGES["taken"]) == "Это время уже занято."
        russian = {code: str(message) for code, message in MESSAGES.items()}
    with translation.override("en"):
        untranslated = [code for code, message in MESSAGES.items() if str(message) == russian[code]]
    assert untranslated == []


def test_demo_data_is_idempotent():
    from shop_bookings.demo import create_demo_data
    from shop_bookings.models import Booking, Service, WorkingHours

    specialists = [make_user("anna"), make_user("boris")]
    clients = [make_user("client1")]
    create_demo_data(specialist_users=specialists, clients=clients)
    counts = (
        Specialist.objects.count(),
        Service.objects.count(),
        WorkingHours.objects.count(),
        Booking.objects.count(),
    )
    assert counts == (2, 3, 20, 6)
    create_demo_data(specialist_users=specialists, clients=clients)
    assert (
        Specialist.objects.count(),
        Service.objects.count(),
        WorkingHours.objects.count(),
        Booking.objects.count(),
    ) == counts


def test_photo_removal_deletes_both_files(api_as, django_capture_on_commit_callbacks):
    api = api_as(make_user(specialist=True))
    api.put(
        f"{BASE}specialists/me/", {"time_zone": "UTC", "photo": image_file()}, format="multipart"
    )
    specialist = Specialist.objects.get()
    paths = [specialist.photo.path, specialist.photo_thumbnail.path]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"{BASE}specialists/me/", {"photo": None}, format="json")
    assert response.status_code == 200 and response.data["photo"] is None
    assert not any(os.path.exists(p) for p in paths)
    specialist.refresh_from_db()
    assert not specialist.photo and not specialist.photo_thumbnail
