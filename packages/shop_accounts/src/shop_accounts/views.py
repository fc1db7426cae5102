"""API views: dj-rest-auth's flows made depth-safe, throttled and documented,
with the package's rules on top (credentials revoked by a password change,
enumeration-safe and race-safe sign-up, coded verification errors), plus
the user endpoint hook, avatar upload, Google login, e-mail link landing
pages and company verification for managers.

Every view has ``SafeParsingMixin`` first in its bases: JSON nested too deep
is a 400 ``too_deep`` on every endpoint, whatever parsers the site uses.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from dj_rest_auth import views as auth_views
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.registration import views as registration_views
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.views import SafeParsingMixin

from .conf import app_settings
from .exceptions import EmailTaken, PasswordIncorrect
from .models import Profile
from .permissions import CanVerifyCompanies
from .serializers import (
    AVATAR_FIELDS,
    AvatarSerializer,
    CompanySerializer,
    CompanyVerificationSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    SocialLoginSerializer,
    VerifyEmailSerializer,
)
from .services import get_profile, set_company_verified
from .services.credentials import issue_credentials, password_unchanged
from .services.registration import SignupPolicy, notify_existing_account, signup_policy
from .services.verification import confirm_email
from .throttles import ScopedThrottleMixin

_detail = inline_serializer("AccountsDetail", {"detail": serializers.CharField()})
_coded_error = inline_serializer(
    "AccountsCodedError",
    {"detail": serializers.CharField(required=False), "code": serializers.CharField()},
)
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
# A sign-up that loses a race for its address or generated username looks again.
SIGNUP_ATTEMPTS = 3


def _send_notice(request: Request, template_prefix: str, user: Any) -> None:
    """allauth's security notice (sent only with ``ACCOUNT_EMAIL_NOTIFICATIONS``)."""
    get_adapter(request._request).send_notification_mail(template_prefix, user)


@extend_schema_view(post=extend_schema(responses=_login_response))
class LoginView(SafeParsingMixin, ScopedThrottleMixin, auth_views.LoginView):
    throttle_scope = "shop_accounts.login"

    def login(self) -> None:
        # The password was checked before; a change committed since then
        # would not revoke the token issued here, so check again under the
        # user's row lock, which a change takes too.
        with transaction.atomic():
            if not password_unchanged(self.serializer.validated_data["user"]):
                raise ValidationError(
                    {"non_field_errors": [_("Unable to log in with provided credentials.")]}
                )
            super().login()


_logout_request = (
    inline_serializer("LogoutRequest", {"refresh": serializers.CharField()})
    if USE_JWT and not rest_auth_settings.JWT_AUTH_HTTPONLY
    else None
)


@extend_schema_view(
    get=extend_schema(exclude=True),
    post=extend_schema(request=_logout_request, responses=_detail),
)
class LogoutView(SafeParsingMixin, auth_views.LogoutView):
    pass


@extend_schema_view(post=extend_schema(responses={201: _detail, 400: _coded_error}))
class RegisterView(SafeParsingMixin, ScopedThrottleMixin, registration_views.RegisterView):
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
        return Response(self.get_response_data(user), status=status.HTTP_201_CREATED)

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
            404: OpenApiResponse(_coded_error, description=_("code invalid_key")),
            410: OpenApiResponse(_coded_error, description=_("code expired_key")),
        },
    )
)
class VerifyEmailView(SafeParsingMixin, APIView):
    """Confirm an address with the key of its link: 200; 404 ``invalid_key``
    (forged, unknown or used); 410 ``expired_key`` (ask for a new link)."""

    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = VerifyEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        confirm_email(request._request, serializer.validated_data["key"])
        return Response({"detail": _("ok")})


@extend_schema_view(post=extend_schema(responses=_password_changed))
class PasswordChangeView(SafeParsingMixin, ScopedThrottleMixin, auth_views.PasswordChangeView):
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
            credentials = issue_credentials(request.user)
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
class PasswordResetView(SafeParsingMixin, ScopedThrottleMixin, auth_views.PasswordResetView):
    throttle_scope = "shop_accounts.password_reset"


@extend_schema_view(post=extend_schema(responses=_detail))
class PasswordResetConfirmView(SafeParsingMixin, auth_views.PasswordResetConfirmView):
    """Sets the new password; every token, session and JWT refresh token of
    the user issued before ends."""

    serializer_class = PasswordResetConfirmSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            user = serializer.save()  # the receiver revokes the old credentials
            _send_notice(request, "account/email/password_reset", user)
        return Response({"detail": _("Password has been reset with the new password.")})


@extend_schema_view(post=extend_schema(responses={200: _detail}))
class ResendEmailVerificationView(
    SafeParsingMixin, ScopedThrottleMixin, registration_views.ResendEmailVerificationView
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
            address.send_confirmation(request)
        return Response({"detail": _("ok")})


@extend_schema_view(post=extend_schema(responses=_login_response))
class GoogleLoginView(SafeParsingMixin, ScopedThrottleMixin, registration_views.SocialLoginView):
    """Log in (or sign up) with a Google ``access_token`` or ``code``.

    A Google account whose verified e-mail matches an existing user is
    linked to that user (``SOCIALACCOUNT_EMAIL_AUTHENTICATION``). The
    ``code`` flow needs ``SHOP_ACCOUNTS["GOOGLE_CALLBACK_URL"]``.
    """

    adapter_class = GoogleOAuth2Adapter
    client_class = OAuth2Client
    serializer_class = SocialLoginSerializer
    throttle_scope = "shop_accounts.login"

    @property
    def callback_url(self) -> str | None:
        """The redirect URI the front end used to get a ``code``."""
        return app_settings.GOOGLE_CALLBACK_URL


class UserView(SafeParsingMixin, auth_views.UserDetailsView):
    """The current user and profile; the serializer is ``SHOP_ACCOUNTS["USER_SERIALIZER"]``."""

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return app_settings.USER_SERIALIZER


class VerifyEmailLinkView(SafeParsingMixin, APIView):
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


class PasswordResetLinkView(SafeParsingMixin, APIView):
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


class AvatarView(SafeParsingMixin, APIView):
    """Upload (PUT, multipart) or remove (DELETE) the current user's avatar."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AvatarSerializer, responses=AvatarSerializer)
    def put(self, request: Request) -> Response:
        serializer = AvatarSerializer(
            get_profile(request.user), data=request.data, context={"request": request}
        )  # the request makes the URLs absolute, as the schema's format: uri says
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        profile = get_profile(request.user)
        if profile.avatar:
            profile.avatar = None
            profile.save(update_fields=AVATAR_FIELDS)  # django-cleanup removes the files
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompanyPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # A page that does not exist is bad input (400), not a missing object.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "verified", bool, description=_("Only verified (true) or unverified (false).")
            )
        ]
    )
)
class CompanyViewSet(
    SafeParsingMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Business customers' companies, for managers who verify them."""

    serializer_class = CompanySerializer
    permission_classes = [CanVerifyCompanies]
    pagination_class = CompanyPagination
    lookup_field = "user__pk"
    lookup_url_kwarg = "user_id"
    lookup_value_regex = "[0-9]{1,18}"  # ASCII digits that fit a bigint; else 404

    def get_queryset(self) -> QuerySet[Profile]:
        queryset = (
            Profile.objects.filter(customer_kind=Profile.CustomerKind.B2B)
            .select_related("user", "company_verified_by")
            .order_by("-updated_at", "pk")
        )
        verified = self.request.query_params.get("verified", "").lower()
        if verified in ("true", "1", "false", "0"):
            queryset = queryset.filter(company_verified=verified in ("true", "1"))
        return queryset

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
    from rest_framework_simplejwt.views import TokenVerifyView as BaseTokenVerifyView

    from .serializers import TokenRefreshSerializer

    class TokenRefreshView(SafeParsingMixin, get_refresh_view()):
        """New access (and, rotating, refresh) token; see ``TokenRefreshSerializer``."""

        serializer_class = TokenRefreshSerializer

    class TokenVerifyView(SafeParsingMixin, BaseTokenVerifyView):
        pass
