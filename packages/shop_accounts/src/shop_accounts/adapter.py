"""allauth adapters: where links in e-mails point, how e-mails leave, new users' roles."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from .conf import app_settings


def is_api_request(request: HttpRequest | None) -> bool:
    """Whether ``request`` came to this package's API rather than to allauth's own
    HTML pages (``allauth.urls``, when the project mounts them too). Outside a
    request (None), the API's behaviour."""
    match = getattr(request, "resolver_match", None) if request is not None else None
    return match is None or "shop_accounts" in match.app_names


class AccountAdapter(DefaultAccountAdapter):
    """Set ``ACCOUNT_ADAPTER = "shop_accounts.adapter.AccountAdapter"``.

    Every e-mail allauth and dj-rest-auth send (verification, password
    reset, "account already exists", notices) is rendered here and queued,
    then sent by a task after the transaction commits: a failing mail server
    never fails the request, and a failed send is retried.

    On this package's API the second factor, "verification sent" and the
    links in e-mails are the API's own; on allauth's HTML pages (a project
    that mounts ``allauth.urls`` as well) allauth's, second factor included.
    """

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # As allauth's, but queued instead of sent on the spot.
        from .services.emails import queue_email

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_email(self.render_mail(template_prefix, email, ctx))

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        if not is_api_request(allauth_context.request):
            return stages
        # allauth's MFA stage answers a redirect to its HTML page (a 500 without
        # allauth.urls); the API asks for the second factor itself (the 202 ticket).
        skipped = {"allauth.mfa.stages.AuthenticateStage", "allauth.mfa.stages.TrustStage"}
        return [stage for stage in stages if stage not in skipped]

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        if not is_api_request(request):
            return super().get_email_confirmation_url(request, emailconfirmation)
        template = app_settings.EMAIL_VERIFICATION_URL
        if app_settings.EMAIL_CHANGE_URL and _is_change(emailconfirmation.email_address):
            template = app_settings.EMAIL_CHANGE_URL
        key = emailconfirmation.key
        if template:
            return template.format(key=key)
        return request.build_absolute_uri(reverse("shop_accounts:verify_email_link", args=[key]))

    def send_account_already_exists_mail(self, email: str) -> None:
        # allauth links to its own HTML views, which an API-only site does
        # not mount; fall back to this package's endpoints then.
        try:
            super().send_account_already_exists_mail(email)
        except NoReverseMatch:
            request = allauth_context.request
            links = {
                "signup_url": reverse("shop_accounts:register"),
                "password_reset_url": reverse("shop_accounts:password_reset"),
            }
            self.send_mail(
                "account/email/account_already_exists",
                email,
                {name: request.build_absolute_uri(url) for name, url in links.items()},
            )

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponse:
        if not is_api_request(request):
            return super().respond_email_verification_sent(request, user)
        # An API has no "verification sent" page to redirect to; the
        # registration view answers the client itself.
        return HttpResponse(status=204)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Set ``SOCIALACCOUNT_ADAPTER = "shop_accounts.adapter.SocialAccountAdapter"``.

    Copies the provider's full name into the new user's profile.
    """

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        name = (sociallogin.account.extra_data or {}).get("name")
        if name:
            from .services import get_profile

            profile = get_profile(user)
            if not profile.full_name:
                profile.full_name = name[:150]
                profile.save(update_fields=["full_name", "updated_at"])
        return user


def _is_change(address: Any) -> bool:
    """Whether ``address`` is a new one of a user who already has a verified address."""
    from allauth.account.models import EmailAddress

    others = EmailAddress.objects.filter(user_id=address.user_id, verified=True)
    return others.exclude(pk=address.pk).exists()


def password_reset_url(request: HttpRequest, user: Any, temp_key: str) -> str:
    """The link of the password-reset e-mail (see ``PASSWORD_RESET_URL``)."""
    from allauth.account.utils import user_pk_to_url_str

    uid = user_pk_to_url_str(user)
    template = app_settings.PASSWORD_RESET_URL
    if template:
        return template.format(uid=uid, token=temp_key)
    return request.build_absolute_uri(
        reverse("shop_accounts:password_reset_link", args=[uid, temp_key])
    )
