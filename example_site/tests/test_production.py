"""The production profile and operability: deploy checks, request ids."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

SITE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
    "DJANGO_SECRET_KEY": "p7Yq2!vL0s9#Kx4m&Rb8Zt1@Wn6$Hc3^Jd5*Fg0(Ue2)Ia7_Ob",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
    "DJANGO_CORS_ALLOWED_ORIGINS": "https://app.example.com",
    "DJANGO_DEBUG": "0",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=SITE_DIR,
        env={**os.environ, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"), ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY")],
)
def test_production_refuses_unsafe_settings(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_redirects_plain_http_and_sends_hsts(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client();"
        "r = c.get('/health/', HTTP_HOST='shop.example.com');"
        "print(r.status_code, r['Location']);"
        "r = c.get('/health/', HTTP_HOST='shop.example.com', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code, r['Strict-Transport-Security'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SITE_DIR,
        env={**os.environ, **PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    redirect, secure = result.stdout.splitlines()
    assert redirect == "301 https://shop.example.com/health/"
    assert secure.startswith("200 max-age=31536000")


def test_request_id_is_echoed(client, db):
    response = client.get("/health/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    made_up = client.get("/health/")["X-Request-ID"]
    assert len(made_up) == 32 and made_up != "abc-123"
    # A forged id with odd characters is replaced, not logged verbatim.
    assert client.get("/health/", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"] != "x\ny"


def test_log_lines_carry_request_and_user(client, db, django_user_model):
    from example_site.logging import RequestContextFilter

    seen = []

    class Remember(logging.Handler):
        def emit(self, record):
            seen.append((record.request_id, record.user_id))

    handler = Remember()
    handler.addFilter(RequestContextFilter())  # runs while the request is live
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/api/v1/accounts/user/", HTTP_X_REQUEST_ID="req-42")  # 401/403: logged
        user = django_user_model.objects.create_user(email="log@example.com", password="x")
        client.force_login(user)
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-43")  # 404: logged
    finally:
        logger.removeHandler(handler)
    assert seen == [("req-42", "-"), ("req-43", user.pk)]


def test_cors_allows_only_listed_origins(client, db, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = client.get("/health/", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = client.get("/health/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other
