"""shop_accounts' allauth adapter, answering like allauth on the HTML pages.

shop_accounts' adapter is made for its API: it answers "verification sent"
with a bare 204, links e-mails to API endpoints and leaves the second factor
to the API's own ticket. On the site's HTML account pages (``/accounts/``)
allauth's own behaviour is the right one: its pages, its links, its MFA stage.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.http import HttpRequest, HttpResponse

from shop_accounts.adapter import AccountAdapter as ApiAccountAdapter


def is_html_request(request: HttpRequest | None) -> bool:
    """Whether ``request`` came to a page of the site rather than to the API."""
    return request is not None and not request.path.startswith("/api/")


class AccountAdapter(ApiAccountAdapter):
    def get_login_stages(self) -> list[str]:
        if is_html_request(allauth_context.request):
            return DefaultAccountAdapter.get_login_stages(self)
        return super().get_login_stages()

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        if is_html_request(request):
            return DefaultAccountAdapter.get_email_confirmation_url(
                self, request, emailconfirmation
            )
        return super().get_email_confirmation_url(request, emailconfirmation)

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponse:
        if is_html_request(request):
            return DefaultAccountAdapter.respond_email_verification_sent(self, request, user)
        return super().respond_email_verification_sent(request, user)
