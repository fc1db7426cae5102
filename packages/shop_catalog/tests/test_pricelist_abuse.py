"""Hostile price lists: alias bombs, deep nesting, binary files under a text name."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop_catalog.models import ImportJob, Offer
from shop_catalog.pricelist import MAX_DEPTH, PriceListError, parse_pricelist

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog/supplier"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(buffer, "PNG")
    return buffer.getvalue()


def refused_quickly(content: bytes, fmt: str, message: str) -> PriceListError:
    started = time.monotonic()
    with pytest.raises(PriceListError, match=message) as exc:
        parse_pricelist(content, fmt)
    assert time.monotonic() - started < 3  # seconds, not minutes, on a busy 2-core machine
    assert exc.value.errors[0]["section"] == "file"
    return exc.value


def billion_laughs() -> bytes:
    doc = b'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    previous = "a"
    for level in "bcdefghi":
        doc += f"{level}: &{level} [{', '.join(['*' + previous] * 9)}]\n".encode()
        previous = level
    return doc + b"goods: *i\n"


def test_billion_laughs_with_default_limit():
    refused_quickly(billion_laughs(), "yaml", "too many nodes")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"goods: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", id="flow-lists"),
        pytest.param(b"goods:\n" + b"- " * 10_000 + b"x\n", id="block-lists"),
        pytest.param(b"goods: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n", id="maps"),
    ],
)
def test_deeply_nested_yaml_is_refused(content):
    refused_quickly(content, "yaml", "nested too deeply")


def test_nesting_just_over_the_limit_is_refused_by_our_check():
    """Below libyaml's own limit (1000), our MAX_DEPTH still applies."""
    depth = MAX_DEPTH + 1
    content = b"goods: " + b"[" * depth + b"]" * depth + b"\n"
    refused_quickly(content, "yaml", "nested too deeply")


def test_pure_python_loader_is_guarded_too(monkeypatch):
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    refused_quickly(b"goods: " + b"[" * 10_000 + b"]" * 10_000, "yaml", "nested too deeply")
    refused_quickly(billion_laughs(), "yaml", "too many nodes")


def test_recursive_alias_is_refused():
    refused_quickly(b"goods: &g [1, *g]\n", "yaml", "recursive alias")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_refused(depth):
    content = b'{"goods": ' + b"[" * depth + b"]" * depth + b"}"
    refused_quickly(content, "json", "nested too deeply")


def test_normal_nesting_still_imports():
    content = b"goods:\n  - {id: 1, parameters: {Color: red}}\n"
    assert parse_pricelist(content, "yaml")["goods"][0]["parameters"] == {"Color": "red"}


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
def test_an_image_is_no_price_list(fmt):
    refused_quickly(png(), fmt, "binary data|not an XLSX")


def test_xlsx_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<x/>" + b" " * (100 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    refused_quickly(buffer.getvalue(), "xlsx", "too much data")


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize("sync_limit", [256 * 1024, 10], ids=["in-request", "queued-size"])
def test_png_renamed_yaml_upload_is_400_and_not_stored(
    api, supplier, settings, sync_limit, django_capture_on_commit_callbacks
):
    settings.SHOP_CATALOG = {"IMPORT_SYNC_MAX_BYTES": sync_limit}
    api.force_authenticate(supplier.owner)
    upload = SimpleUploadedFile("pricelist.yaml", png(), content_type="application/yaml")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload})
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("file", "wrong_type")]
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert not Offer.objects.exists()
    assert media_files(settings) == []


def test_queued_bomb_fails_and_its_file_is_removed(
    api, supplier, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_CATALOG = {"IMPORT_SYNC_MAX_BYTES": 10}
    api.force_authenticate(supplier.owner)
    upload = SimpleUploadedFile("pricelist.yaml", billion_laughs())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload})
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert [e["code"] for e in job.errors] == ["too_many_nodes"]
    assert not job.file
    assert media_files(settings) == []
