"""API views: dj-rest-auth's flows with throttle scopes and schema
annotations, plus the user endpoint hook, avatar upload, Google login,
e-mail link landing pages and company verification for managers."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from dj_rest_auth import views as auth_views
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.registration import views as registration_views
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
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

from .conf import app_settings
from .models import Profile
from .permissions import CanVerifyCompanies
from .serializers import (
    AvatarSerializer,
    CompanySerializer,
    CompanyVerificationSerializer,
    SocialLoginSerializer,
)
from .services import get_profile, set_company_verified
from .throttles import ScopedThrottleMixin

_detail = inline_serializer("AccountsDetail", {"detail": serializers.CharField()})
# dj-rest-auth fixes USE_JWT at import, so the login answer is known here.
_login_response = (
    rest_auth_settings.JWT_SERIALIZER
    if rest_auth_settings.USE_JWT
    else rest_auth_settings.TOKEN_SERIALIZER
)


@extend_schema_view(post=extend_schema(responses=_login_response))
class LoginView(ScopedThrottleMixin, auth_views.LoginView):
    throttle_scope = "shop_accounts.login"


@extend_schema_view(post=extend_schema(responses={201: _detail}))
class RegisterView(ScopedThrottleMixin, registration_views.RegisterView):
    throttle_scope = "shop_accounts.register"

    def perform_create(self, serializer: Any) -> Any:
        # The user, its role, profile and e-mail record, all or nothing.
        with transaction.atomic():
            return super().perform_create(serializer)


@extend_schema_view(post=extend_schema(responses=_detail))
class PasswordResetView(ScopedThrottleMixin, auth_views.PasswordResetView):
    throttle_scope = "shop_accounts.password_reset"


@extend_schema_view(post=extend_schema(responses={200: _detail}))
class ResendEmailVerificationView(
    ScopedThrottleMixin, registration_views.ResendEmailVerificationView
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
class GoogleLoginView(ScopedThrottleMixin, registration_views.SocialLoginView):
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


class UserView(auth_views.UserDetailsView):
    """The current user and profile; the serializer is ``SHOP_ACCOUNTS["USER_SERIALIZER"]``."""

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return app_settings.USER_SERIALIZER


class VerifyEmailLinkView(APIView):
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


class PasswordResetLinkView(APIView):
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


class AvatarView(APIView):
    """Upload (PUT, multipart) or remove (DELETE) the current user's avatar."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AvatarSerializer, responses=AvatarSerializer)
    def put(self, request: Request) -> Response:
        serializer = AvatarSerializer(
            get_profile(request.user), data=request.data, context={"request": request}
        )  # the request makes the URLs absolute, as the schema's format: uri says
        serializer.is_valid(raise_exception=True)
        serializer.save()  # Profile.save() makes the thumbnail
        return Response(serializer.data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        profile = get_profile(request.user)
        if profile.avatar:
            profile.avatar = None
            profile.save()  # django-cleanup removes the files
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
class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Business customers' companies, for managers who verify them."""

    serializer_class = CompanySerializer
    permission_classes = [CanVerifyCompanies]
    pagination_class = CompanyPagination
    lookup_field = "user__pk"
    lookup_url_kwarg = "user_id"

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
        set_company_verified(
            profile=profile, verified=serializer.validated_data["verified"], by=request.user
        )
        return Response(CompanySerializer(profile).data)
