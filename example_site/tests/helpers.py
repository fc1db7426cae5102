"""Steps of the end-to-end stories, shared by the site's tests."""

from __future__ import annotations

import re

from django.core import mail
from rest_framework.test import APIClient

PASSWORD = "Correct-Horse-42"
DEMO_PASSWORD = "shop-demo-2026"


def register_and_verify(client: APIClient, email: str, **extra: object) -> None:
    response = client.post(
        "/api/v1/accounts/registration/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    key = re.search(r"/verify-email/([^/\s]+)/", message.body).group(1)
    response = client.post(
        "/api/v1/accounts/registration/verify-email/", {"key": key}, format="json"
    )
    assert response.status_code == 200, response.content


def logged_in(email: str, password: str = PASSWORD) -> APIClient:
    """A new API client carrying the user's token."""
    client = APIClient()
    response = client.post(
        "/api/v1/accounts/login/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    return client
