"""API views: dj-rest-auth's flows made depth-safe, throttled, documented and coded,
with the package's rules on top (credentials revoked by a password change,
enumeration-safe and race-safe sign-up, coded verification errors), plus the
user endpoint hook, avatar upload, Google login, e-mail link landing pages
and company verification for managers.

Every view has ``AccountsAPIMixin`` (``shop_core.views.ShopAPIMixin``) first in
its bases: JSON nested too deep is a 400 ``too_deep``, and every error answers
in the one convention (``{"type", "errors": [{"code", "detail", "attr"}]}``),
dj-rest-auth's and simplejwt's views included. Views parse, call a service or
selector, and serialize.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from dj_rest_auth import views as auth_views
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.registration import views as registration_views
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ErrorCode401Enum
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.fields import ID_PATTERN
from shop_core.filters import FilterBackend
from shop_core.pagination import ShopPagination
from shop_core.views import ShopAPIMixin

from . import selectors
from .conf import app_settings
from .exceptions import (
    EmailTaken,
    InvalidCredentials,
    NotLoggedIn,
    PasswordIncorrect,
    RefreshTokenMissing,
)
from .filters import CompanyFilter
from .models import LoginRecord
from .permissions import CanVerifyCompanies
from .serializers import (
    PASSWORD_CODES,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MISMATCH,
    AvatarSerializer,
    CompanySerializer,
    CompanyVerificationSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    SocialLoginSerializer,
    VerifyEmailSerializer,
)
from .services import (
    deletion,
    email_change,
    get_profile,
    remove_avatar,
    sessions,
    set_avatar,
    set_company_verified,
    update_user,
    verification,
)
from .services.credentials import issue_credentials, password_unchanged
from .services.registration import SignupPolicy, notify_existing_account, signup_policy
from .services.verification import confirm_email
from .throttles import ScopedThrottleMixin

NON_FIELD = "non_field_errors"
IMAGE_CODES = ["image_too_large", "image_pixels", "image_format", "image_invalid"]
NEW_PASSWORD_CODES = [*PASSWORD_CODES, PASSWORD_MISMATCH]
INN_CODES = ["inn_length", "inn_checksum"]
# simplejwt's code for an access or refresh token that is expired, blacklisted or forged.
TOKEN_NOT_VALID = "token_not_valid"

_detail = inline_serializer("AccountsDetail", {"detail": serializers.CharField()})
# dj-rest-auth fixes USE_JWT at import, so the login answer is known here.
USE_JWT = rest_auth_settings.USE_JWT
_login_response = (
    rest_auth_settings.JWT_SERIALIZER if USE_JWT else rest_auth_settings.TOKEN_SERIALIZER
)
_credential_fields = (
    {"access": serializers.CharField(), "refresh": serializers.CharField()}
    if USE_JWT
    else {"key": serializers.CharField()}
)
_password_changed = inline_serializer(
    "PasswordChanged", {"detail": serializers.CharField(), **_credential_fields}
)
# A sign-up that loses a race for its address or generated username looks again. A
# taken address is seen at the second look; a username can collide again, because
# allauth's candidates after the first carry a few random digits that simultaneous
# sign-ups may share, so a burst of sign-ups with one name needs a few more looks.
SIGNUP_ATTEMPTS = 10


def client_error(name: str, codes: list[str], description: str) -> OpenApiResponse:
    """A documented error answer whose status drf-standardized-errors does not cover
    (410) or whose codes it does not know (a 404 ``invalid_key``, a 401 of simplejwt)."""
    error = inline_serializer(
        f"{name}ErrorComponent",  # the suffix keeps the enum of codes inline
        {
            "code": serializers.ChoiceField(choices=codes),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
        many=True,
    )
    body = inline_serializer(
        f"{name}ErrorResponse",
        {"type": serializers.ChoiceField(choices=ClientErrorEnum.choices), "errors": error},
    )
    return OpenApiResponse(body, description=description)


_token_refused = client_error(
    "TokenRefused",
    [*ErrorCode401Enum.values, TOKEN_NOT_VALID],
    "The token is expired, blacklisted or forged.",
)


def plain_token_error(exc: Exception) -> Exception:
    """simplejwt's token errors carry a dict (``detail``, ``code``, ``messages``); as
    one error with its code (``token_not_valid``) in the one convention."""
    detail = getattr(exc, "detail", None)
    if isinstance(exc, exceptions.AuthenticationFailed) and isinstance(detail, dict):
        if "detail" in detail and "code" in detail:
            return exceptions.AuthenticationFailed(str(detail["detail"]), str(detail["code"]))
    return exc


class AccountsAPIMixin(ShopAPIMixin):
    """The base of every view of the package: ``ShopAPIMixin``, and simplejwt's
    token errors (a JWT site's 401s) in the same shape."""

    def handle_exception(self, exc: Exception) -> Any:
        return super().handle_exception(plain_token_error(exc))


def _send_notice(request: Request, template_prefix: str, user: Any) -> None:
    """allauth's security notice (sent only with ``ACCOUNT_EMAIL_NOTIFICATIONS``)."""
    get_adapter(request._request).send_notification_mail(template_prefix, user)


MFA_ENABLED = apps.is_installed("allauth.mfa")
_mfa_pending = inline_serializer(
    "MFAPending",
    {
        "mfa_required": serializers.BooleanField(),
        "methods": serializers.ListField(
            child=serializers.ChoiceField(choices=["recovery_codes", "totp", "webauthn"])
        ),
        "ticket": serializers.CharField(),
        "expires_in": serializers.IntegerField(),
    },
)


def second_factor_active(user: Any) -> bool:
    if not MFA_ENABLED:
        return False
    from .services import mfa

    return mfa.second_factor_active(user)


def mfa_pending_answer(user: Any) -> Response:
    """202: the first login step was right; ``ticket`` goes to ``login/mfa/...``."""
    from .services import mfa

    body = {
        "mfa_required": True,
        "methods": mfa.methods(user),
        "ticket": mfa.issue_ticket(user),
        "expires_in": app_settings.MFA_LOGIN_TIMEOUT,
    }
    return Response(body, status=status.HTTP_202_ACCEPTED)


class SecondStepMixin:
    """dj-rest-auth's login ``post``, answering 202 and a ticket instead of credentials
    when the user has a second factor (a password or a Google login alike)."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.request = request
        self.serializer = self.get_serializer(data=request.data)
        self.serializer.is_valid(raise_exception=True)
        user = self.serializer.validated_data["user"]
        if self.mfa_pending(user):
            return mfa_pending_answer(user)
        self.login()
        return self.get_response()

    def mfa_pending(self, user: Any) -> bool:
        """Whether the first step alone is not enough for ``user``."""
        return second_factor_active(user)

    def login(self) -> None:
        super().login()
        if USE_JWT:  # the access token handed out must carry the sign-in's id
            self.access_token = sessions.record_refresh(self.request, self.user, self.refresh_token)
        elif getattr(self, "token", None) is not None:
            sessions.record_token(self.request, self.user, self.token)


_login_responses = {200: _login_response, **({202: _mfa_pending} if MFA_ENABLED else {})}


@extend_schema_view(post=extend_schema(responses=_login_responses))
@extend_validation_errors(
    ["credentials_required", "invalid_credentials", "inactive", "email_not_verified"],
    field_name=NON_FIELD,
)
class LoginView(AccountsAPIMixin, ScopedThrottleMixin, SecondStepMixin, auth_views.LoginView):
    """400 ``invalid_credentials`` for a wrong e-mail or password, ``email_not_verified``
    before verification; 429 ``throttled`` once allauth's failed-login limit is hit.
    With a second factor on, the right password answers 202 with a short-lived
    ``ticket`` for ``login/mfa/`` instead of credentials."""

    throttle_scope = "shop_accounts.login"

    def login(self) -> None:
        # The password was checked before; a change committed since then
        # would not revoke the token issued here, so check again under the
        # user's row lock, which a change takes too.
        with transaction.atomic():
            if not password_unchanged(self.serializer.validated_data["user"]):
                raise InvalidCredentials()
            super().login()


_logout_request = LogoutSerializer if USE_JWT and not rest_auth_settings.JWT_AUTH_HTTPONLY else None
_logout_errors = (
    {
        401: client_error(
            "LogoutRefused",
            [*ErrorCode401Enum.values, TOKEN_NOT_VALID, "refresh_token_missing"],
            "No refresh token, or one that is expired, blacklisted or forged.",
        )
    }
    if USE_JWT
    else {}
)


@extend_schema_view(
    get=extend_schema(exclude=True),
    post=extend_schema(request=_logout_request, responses={200: _detail, **_logout_errors}),
)
@extend_validation_errors(["not_logged_in"], field_name=NON_FIELD, methods=["post"])
class LogoutView(AccountsAPIMixin, auth_views.LogoutView):
    """Token: deletes the token (400 ``not_logged_in`` without one). JWT: blacklists
    the refresh token (401 ``refresh_token_missing`` / ``token_not_valid``)."""

    def logout(self, request: Request) -> Response:
        if not (request.auth or USE_JWT or rest_auth_settings.SESSION_LOGIN):
            raise NotLoggedIn()
        jti = None
        if USE_JWT and apps.is_installed("rest_framework_simplejwt.token_blacklist"):
            jti = self._check_refresh_token(request)
        sessions.logged_out(token=None if USE_JWT else request.auth, jti=jti)
        return super().logout(request)

    def _check_refresh_token(self, request: Request) -> str:
        """dj-rest-auth answers a missing or bad refresh token itself, uncoded; refuse
        it here first, so the logout it then does cannot fail. Returns its ``jti``."""
        from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
        from rest_framework_simplejwt.tokens import RefreshToken

        if rest_auth_settings.JWT_AUTH_HTTPONLY:
            raw = request.COOKIES.get(rest_auth_settings.JWT_AUTH_REFRESH_COOKIE)
        else:
            body = LogoutSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            raw = body.validated_data.get("refresh")
        if not raw:
            raise RefreshTokenMissing()
        try:
            return RefreshToken(raw)["jti"]
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc


def _code_ticket(request: Request) -> dict[str, Any]:
    """With verification by code: the ``ticket`` to send the code with (a decoy when
    no code was sent, so a registered address answers alike)."""
    if not verification.by_code():
        return {}
    found = verification.code_ticket(request._request, request.data.get("email", ""))
    return {"ticket": found.ticket, "expires_in": found.expires_in}


_code_sent_fields = {
    "detail": serializers.CharField(),
    "ticket": serializers.CharField(required=False),
    "expires_in": serializers.IntegerField(required=False),
}


@extend_schema_view(
    post=extend_schema(responses={201: inline_serializer("SignedUp", _code_sent_fields)})
)
@extend_validation_errors(["taken"], field_name="email")
@extend_validation_errors(PASSWORD_CODES, field_name="password1")
@extend_validation_errors([PASSWORD_MISMATCH], field_name="password2")
@extend_validation_errors(["required"], field_name="company_name")
@extend_validation_errors(["required", *INN_CODES], field_name="tax_number")
class RegisterView(AccountsAPIMixin, ScopedThrottleMixin, registration_views.RegisterView):
    """Sign-up. A taken address answers exactly like a free one and its owner
    is e-mailed (allauth's enumeration prevention), or 400 ``taken`` with
    ``ACCOUNT_PREVENT_ENUMERATION = False``. Simultaneous sign-ups with one
    address make one account: the database refuses the others."""

    throttle_scope = "shop_accounts.register"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        for _attempt in range(SIGNUP_ATTEMPTS):
            if signup_policy(email) is not SignupPolicy.NEW:
                return self._taken(serializer)
            try:
                return self._created(self.perform_create(serializer))
            except IntegrityError as exc:
                # The address, or the username made from it, was taken meanwhile:
                # look again (the other sign-up has committed by now).
                error = exc
        raise error

    def perform_create(self, serializer: Any) -> Any:
        # The user, its role, profile, e-mail record and queued e-mail: all or nothing.
        with transaction.atomic():
            return super().perform_create(serializer)

    def _created(self, user: Any) -> Response:
        body = {**self.get_response_data(user), **_code_ticket(self.request)}
        return Response(body, status=status.HTTP_201_CREATED)

    def _taken(self, serializer: Any) -> Response:
        email = serializer.validated_data["email"]
        if signup_policy(email) is SignupPolicy.REFUSE:
            raise EmailTaken()
        # As much work as a real sign-up (hashing), so timing tells little.
        make_password(serializer.validated_data["password1"])
        notify_existing_account(self.request._request, email)
        return self._created(None)


@extend_schema_view(
    post=extend_schema(
        request=VerifyEmailSerializer,
        responses={
            200: _detail,
            404: client_error(
                "InvalidKey", ["invalid_key"], "The key is forged, unknown or already used."
            ),
            410: client_error("ExpiredKey", ["expired_key"], "The link expired: ask a new one."),
        },
    )
)
class VerifyEmailView(AccountsAPIMixin, APIView):
    """Confirm an address with the key of its link: 200; 404 ``invalid_key``
    (forged, unknown or used); 410 ``expired_key`` (ask for a new link)."""

    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = VerifyEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        confirm_email(request._request, serializer.validated_data["key"])
        return Response({"detail": _("ok")})


@extend_schema_view(post=extend_schema(responses=_password_changed))
@extend_validation_errors(["password_incorrect"], field_name="old_password")
@extend_validation_errors(NEW_PASSWORD_CODES, field_name="new_password2")
class PasswordChangeView(AccountsAPIMixin, ScopedThrottleMixin, auth_views.PasswordChangeView):
    """Needs the old password (400 ``password_incorrect``). Every token,
    session and JWT refresh token issued before ends; the answer carries
    fresh credentials so this client stays logged in."""

    serializer_class = PasswordChangeSerializer
    throttle_scope = "shop_accounts.login"  # a wrong old password is a guess

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.old_password_is_right():
            raise PasswordIncorrect()
        with transaction.atomic():
            serializer.save()  # the receiver revokes the old credentials
            credentials = issue_credentials(request.user, request)
            _send_notice(request, "account/email/password_changed", request.user)
        response = Response({"detail": _("New password has been saved."), **credentials})
        return _with_jwt_cookies(response)


def _with_jwt_cookies(response: Response) -> Response:
    """Put new JWTs in cookies (and out of the body) when the site uses HttpOnly cookies."""
    if USE_JWT:
        from dj_rest_auth.jwt_auth import set_jwt_cookies

        set_jwt_cookies(response, response.data["access"], response.data["refresh"])
        if rest_auth_settings.JWT_AUTH_HTTPONLY:
            del response.data["refresh"]
    return response


@extend_schema_view(post=extend_schema(responses=_detail))
class PasswordResetView(AccountsAPIMixin, ScopedThrottleMixin, auth_views.PasswordResetView):
    throttle_scope = "shop_accounts.password_reset"


@extend_schema_view(post=extend_schema(responses=_detail))
@extend_validation_errors(["invalid_uid"], field_name="uid")
@extend_validation_errors(["invalid_token"], field_name="token")
@extend_validation_errors(NEW_PASSWORD_CODES, field_name="new_password2")
class PasswordResetConfirmView(AccountsAPIMixin, auth_views.PasswordResetConfirmView):
    """Sets the new password (400 ``invalid_uid`` / ``invalid_token`` for a broken,
    used or expired link); every token, session and JWT refresh token of the user
    issued before ends."""

    serializer_class = PasswordResetConfirmSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            user = serializer.save()  # the receiver revokes the old credentials
            _send_notice(request, "account/email/password_reset", user)
        return Response({"detail": _("Password has been reset with the new password.")})


@extend_schema_view(
    post=extend_schema(responses={200: inline_serializer("LinkResent", _code_sent_fields)})
)
class ResendEmailVerificationView(
    AccountsAPIMixin, ScopedThrottleMixin, registration_views.ResendEmailVerificationView
):
    throttle_scope = "shop_accounts.register"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # As dj-rest-auth's, but the address matches whatever its case; the
        # answer is the same whether or not the address is known.
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        address = self.get_queryset().filter(email__iexact=email).first()
        if address is not None and not address.verified:
            verification.resend(request._request, address)
        return Response({"detail": _("ok"), **_code_ticket(request)})


_provider_unavailable = OpenApiResponse(
    inline_serializer(
        "ProviderUnavailableErrorResponse",
        {
            "type": serializers.ChoiceField(choices=["server_error"]),
            "errors": inline_serializer(
                "ProviderUnavailableErrorComponent",
                {
                    "code": serializers.ChoiceField(choices=["provider_unavailable"]),
                    "detail": serializers.CharField(),
                    "attr": serializers.CharField(allow_null=True),
                },
                many=True,
            ),
        },
    ),
    description="Google could not be reached; try again later.",
)


@extend_schema_view(post=extend_schema(responses={**_login_responses, 503: _provider_unavailable}))
@extend_validation_errors(
    ["token_required", "provider_refused", "code_flow_not_configured", "taken"],
    field_name=NON_FIELD,
)
class GoogleLoginView(
    AccountsAPIMixin, ScopedThrottleMixin, SecondStepMixin, registration_views.SocialLoginView
):
    """Log in (or sign up) with a Google ``access_token`` or ``code``.

    A Google account whose verified e-mail matches an existing user is
    linked to that user (``SOCIALACCOUNT_EMAIL_AUTHENTICATION``). The
    ``code`` flow needs ``SHOP_ACCOUNTS["GOOGLE_CALLBACK_URL"]``. A user with a
    second factor gets the 202 ticket of ``login/`` instead of credentials.
    """

    adapter_class = GoogleOAuth2Adapter
    client_class = OAuth2Client
    serializer_class = SocialLoginSerializer
    throttle_scope = "shop_accounts.login"

    @property
    def callback_url(self) -> str | None:
        """The redirect URI the front end used to get a ``code``."""
        return app_settings.GOOGLE_CALLBACK_URL


@extend_validation_errors(["invalid_phone"], field_name="profile.phone", methods=["put", "patch"])
@extend_validation_errors(["null"], field_name="profile", methods=["put", "patch"])
@extend_validation_errors(["required"], field_name="profile.company_name", methods=["put", "patch"])
@extend_validation_errors(
    ["required", *INN_CODES], field_name="profile.tax_number", methods=["put", "patch"]
)
class UserView(AccountsAPIMixin, auth_views.UserDetailsView):
    """The current user and profile; the serializer is ``SHOP_ACCOUNTS["USER_SERIALIZER"]``
    (it validates; ``services.update_user`` writes)."""

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return app_settings.USER_SERIALIZER

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        update_user(user=serializer.instance, profile=data.pop("shop_profile", None), **data)


class VerifyEmailLinkView(AccountsAPIMixin, APIView):
    """Landing page of the verification link when no front end is set.

    It only says what to POST: a GET must not change state (mail scanners
    follow links).
    """

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "VerifyEmailLink",
            {
                "detail": serializers.CharField(),
                "post_to": serializers.URLField(),
                "key": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(
            {
                "detail": _("POST the key to confirm this e-mail address."),
                "post_to": request.build_absolute_uri(reverse("shop_accounts:verify_email")),
                "key": key,
            }
        )


class PasswordResetLinkView(AccountsAPIMixin, APIView):
    """Landing page of the password-reset link when no front end is set."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "PasswordResetLink",
            {
                "detail": serializers.CharField(),
                "post_to": serializers.URLField(),
                "uid": serializers.CharField(),
                "token": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request, uid: str, token: str) -> Response:
        return Response(
            {
                "detail": _(
                    "POST uid, token, new_password1 and new_password2 to set a new password."
                ),
                "post_to": request.build_absolute_uri(
                    reverse("shop_accounts:password_reset_confirm")
                ),
                "uid": uid,
                "token": token,
            }
        )


@extend_validation_errors(IMAGE_CODES, field_name="avatar", methods=["put"])
class AvatarView(AccountsAPIMixin, APIView):
    """Upload (PUT, multipart) or remove (DELETE) the current user's avatar."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AvatarSerializer, responses=AvatarSerializer)
    def put(self, request: Request) -> Response:
        serializer = AvatarSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = set_avatar(
            profile=get_profile(request.user), file=serializer.validated_data["avatar"]
        )
        # The request makes the URLs absolute, as the schema's format: uri says.
        return Response(AvatarSerializer(profile, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        remove_avatar(profile=get_profile(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompanyPagination(ShopPagination):
    """Sized by ``SHOP_ACCOUNTS["PAGE_SIZE"]`` and ``["MAX_PAGE_SIZE"]``; a page that
    does not exist is a 400 ``invalid_page``."""

    app_settings = app_settings


@extend_validation_errors(["invalid_page"], field_name="page", actions=["list"])
@extend_validation_errors(["not_business"], field_name="customer_kind", actions=["verify"])
@extend_validation_errors(["company_incomplete"], field_name="tax_number", actions=["verify"])
class CompanyViewSet(
    AccountsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Business customers' companies, for managers who verify them."""

    serializer_class = CompanySerializer
    permission_classes = [CanVerifyCompanies]
    pagination_class = CompanyPagination
    filter_backends = [FilterBackend]
    filterset_class = CompanyFilter
    lookup_field = "user__pk"
    lookup_url_kwarg = "user_id"
    lookup_value_regex = ID_PATTERN  # ASCII digits that fit a bigint; else 404

    def get_queryset(self) -> QuerySet:
        return selectors.companies()

    @extend_schema(request=CompanyVerificationSerializer, responses=CompanySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, user_id: Any = None) -> Response:
        profile = self.get_object()
        serializer = CompanyVerificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = set_company_verified(
            profile=profile, verified=serializer.validated_data["verified"], by=request.user
        )
        return Response(CompanySerializer(profile).data)


if USE_JWT:  # simplejwt's views read its settings at import
    from dj_rest_auth.jwt_auth import get_refresh_view
    from rest_framework_simplejwt.serializers import TokenVerifySerializer
    from rest_framework_simplejwt.views import TokenVerifyView as BaseTokenVerifyView

    from .serializers import TokenRefreshSerializer

    @extend_schema_view(
        post=extend_schema(responses={200: TokenRefreshSerializer, 401: _token_refused})
    )
    class TokenRefreshView(AccountsAPIMixin, get_refresh_view()):
        """New access (and, rotating, refresh) token; see ``TokenRefreshSerializer``.
        401 ``token_not_valid`` for an expired, blacklisted or forged token."""

        serializer_class = TokenRefreshSerializer

    @extend_schema_view(
        post=extend_schema(responses={200: TokenVerifySerializer, 401: _token_refused})
    )
    class TokenVerifyView(AccountsAPIMixin, BaseTokenVerifyView):
        """200 for a valid token, 401 ``token_not_valid`` otherwise."""


class AccountDeletionSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH)
    code = serializers.CharField(max_length=32, required=False, allow_blank=True)


@extend_validation_errors(["password_incorrect"], field_name="password", methods=["post"])
@extend_validation_errors(
    ["code_required", *(["invalid_code"] if MFA_ENABLED else [])],
    field_name="code",
    methods=["post"],
)
class AccountDeletionView(AccountsAPIMixin, APIView):
    """Leaving the shop. GET: what to offer first (the personal-data export, when
    there is one) and whether a code is needed. POST the password (and the
    code): the account and the personal data of every package are erased; 409
    ``account_in_use`` (nothing erased) while another package protects the user."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "AccountDeletionOffer",
            {
                "data_export_url": serializers.CharField(allow_null=True),
                "code_required": serializers.BooleanField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        url = deletion.data_export_url()
        return Response(
            {
                "data_export_url": request.build_absolute_uri(url) if url else None,
                "code_required": deletion.mfa_active(request.user),
            }
        )

    @extend_schema(
        request=AccountDeletionSerializer,
        responses={
            204: None,
            409: client_error(
                "AccountInUse",
                ["account_in_use"],
                "Another package's records still need the account; nothing was deleted.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = AccountDeletionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deletion.erase_account(user=request.user, **body.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH)


_email_state = inline_serializer(
    "EmailState",
    {"email": serializers.EmailField(), "pending": serializers.EmailField(allow_null=True)},
)


@extend_validation_errors(["taken"], field_name="email", methods=["post"])
@extend_validation_errors(["password_incorrect"], field_name="password", methods=["post"])
class EmailChangeView(AccountsAPIMixin, ScopedThrottleMixin, APIView):
    """GET: the current address and the one waiting for confirmation. POST the new
    address and the password: a link goes to the new address, a notice to the old;
    the login stays the old address until the link is used
    (``registration/verify-email/``)."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "shop_accounts.login"  # a wrong password is a guess

    @extend_schema(responses=_email_state)
    def get(self, request: Request) -> Response:
        return Response(self._state(request.user))

    @extend_schema(request=EmailChangeSerializer, responses={202: _email_state})
    def post(self, request: Request) -> Response:
        body = EmailChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        email_change.request_email_change(
            request._request, user=request.user, **body.validated_data
        )
        return Response(self._state(request.user), status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _state(user: Any) -> dict[str, Any]:
        email = getattr(user, user.get_email_field_name())
        return {"email": email, "pending": email_change.pending_email(user)}


class SignInSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=LoginRecord.Kind.choices)
    user_agent = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    current = serializers.BooleanField()


SIGN_INS_SHOWN = 100  # the most recently used; older ones still end with "revoke others"
SIGN_IN_FIELDS = ("id", "kind", "user_agent", "ip", "created_at", "last_used_at")


class SignInListView(AccountsAPIMixin, APIView):
    """The user's sign-ins (tokens, JWT logins), the most recently used first;
    ``current`` marks the one of this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SignInSerializer(many=True))
    def get(self, request: Request) -> Response:
        current = sessions.current_id(request)
        records = sessions.sign_ins(request.user)[:SIGN_INS_SHOWN]
        rows = [
            {**{f: getattr(r, f) for f in SIGN_IN_FIELDS}, "current": r.pk == current}
            for r in records
        ]
        return Response(SignInSerializer(rows, many=True).data)


class SignInView(AccountsAPIMixin, APIView):
    """DELETE: end one sign-in: its token is deleted or its refresh token
    blacklisted (404 for another user's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: Any) -> Response:
        try:
            sessions.revoke(request.user, pk)
        except LoginRecord.DoesNotExist:
            raise exceptions.NotFound() from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutOthersView(AccountsAPIMixin, APIView):
    """End every sign-in of the user but the one of this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer("SignInsEnded", {"revoked": serializers.IntegerField()}),
    )
    def post(self, request: Request) -> Response:
        revoked = sessions.revoke_others(request.user, keep=sessions.current_id(request))
        return Response({"revoked": revoked})


class VerifyCodeSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=1024)
    code = serializers.CharField(max_length=32)


@extend_schema_view(
    post=extend_schema(
        request=VerifyCodeSerializer,
        responses={
            200: _detail,
            410: client_error(
                "ExpiredCode", ["expired_ticket"], "The code expired: ask for a new one."
            ),
            429: client_error(
                "TooManyCodes", ["throttled"], "Too many wrong codes: ask for a new one."
            ),
        },
    )
)
@extend_validation_errors(["invalid_code"], field_name="code")
@extend_validation_errors(["invalid_ticket"], field_name="ticket")
class VerifyEmailCodeView(AccountsAPIMixin, ScopedThrottleMixin, APIView):
    """Verification by code: the ``ticket`` of the sign-up (or resend) answer and the
    ``code`` from the e-mail."""

    permission_classes = [AllowAny]
    throttle_scope = "shop_accounts.register"

    def post(self, request: Request) -> Response:
        body = VerifyCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verification.confirm_code(request._request, **body.validated_data)
        return Response({"detail": _("ok")})
