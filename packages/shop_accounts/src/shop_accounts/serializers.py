from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from dj_rest_auth.registration.serializers import RegisterSerializer as BaseRegisterSerializer
from dj_rest_auth.registration.serializers import SocialLoginSerializer as BaseSocialLoginSerializer
from dj_rest_auth.serializers import LoginSerializer as BaseLoginSerializer
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from .adapter import password_reset_url
from .conf import app_settings
from .models import Profile
from .selectors import email_taken, user_roles
from .services import COMPANY_FIELDS, assign_role, get_profile, update_profile
from .validators import validate_avatar, validate_inn


def validate_company(attrs: dict[str, Any], instance: Profile | None = None) -> None:
    """A business customer needs a company name and a tax number."""

    def value(name: str) -> Any:
        return attrs[name] if name in attrs else getattr(instance, name, "")

    if value("customer_kind") == Profile.CustomerKind.B2B:
        errors = {
            name: [message]
            for name, message in (
                ("company_name", _("A business customer needs a company name.")),
                ("tax_number", _("A business customer needs a tax number (INN).")),
            )
            if not value(name)
        }
        if errors:
            raise serializers.ValidationError(errors)


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = (
            "full_name",
            "phone",
            "city",
            "bio",
            "avatar",
            "avatar_thumbnail",
            "customer_kind",
            "company_name",
            "tax_number",
            "company_verified",
            "company_verified_at",
        )
        read_only_fields = ("avatar", "avatar_thumbnail", "company_verified", "company_verified_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        validate_company(attrs, self.instance)
        return attrs

    def update(self, instance: Profile, validated_data: dict[str, Any]) -> Profile:
        return update_profile(profile=instance, **validated_data)


class AvatarSerializer(serializers.ModelSerializer):
    avatar = serializers.ImageField(validators=[validate_avatar])

    class Meta:
        model = Profile
        fields = ("avatar", "avatar_thumbnail")
        read_only_fields = ("avatar_thumbnail",)


def _user_model_fields(model: Any) -> tuple[str, ...]:
    existing = {field.name for field in model._meta.get_fields()}
    email = model.get_email_field_name()
    optional = ("username", "first_name", "last_name", "date_joined")
    return ("pk", email, *(name for name in optional if name in existing and name != email))


class UserSerializer(serializers.ModelSerializer):
    """The current user with roles and profile (``GET/PATCH .../user/``).

    Works with any user model: only the fields that the model has are
    shown; the e-mail is changed through allauth's e-mail management.
    """

    profile = ProfileSerializer(source="shop_profile", required=False)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = (*_user_model_fields(model), "roles", "profile")
        read_only_fields = tuple(
            name for name in _user_model_fields(model) if name not in ("first_name", "last_name")
        )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, (list, QuerySet)):
            # The nested profile validates against the stored profile (B2B
            # rules need the fields the request does not send).
            self.fields["profile"].instance = get_profile(self.instance)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user: Any) -> list[str]:
        return user_roles(user)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        instance.shop_profile = get_profile(instance)  # users older than the app
        return super().to_representation(instance)

    @transaction.atomic
    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        profile_data = validated_data.pop("shop_profile", None)
        instance = super().update(instance, validated_data)
        if profile_data:
            profile_serializer = self.fields["profile"]
            profile_serializer.update(get_profile(instance), profile_data)
        return instance


class RegisterSerializer(BaseRegisterSerializer):
    """dj-rest-auth's registration plus an optional role and B2B company.

    Set ``REST_AUTH["REGISTER_SERIALIZER"]`` to this class.
    """

    role = serializers.ChoiceField(choices=[], required=False, help_text=_("An extra role."))
    customer_kind = serializers.ChoiceField(
        choices=Profile.CustomerKind.choices, default=Profile.CustomerKind.B2C
    )
    company_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    tax_number = serializers.CharField(
        max_length=12, required=False, allow_blank=True, validators=[validate_inn]
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # dj-rest-auth requires "username" unless ACCOUNT_SIGNUP_FIELDS says
        # otherwise, even when the signup fields do not name it at all.
        username = allauth_settings.SIGNUP_FIELDS.get("username")
        if username is None:
            del self.fields["username"]
        else:
            self.fields["username"].required = username["required"]
        self.fields["role"].choices = app_settings.REGISTRATION_ROLES

    def validate_email(self, email: str) -> str:
        # dj-rest-auth only refuses verified addresses; a second account
        # for an unverified one would make the address ambiguous.
        email = super().validate_email(email)
        if email and email_taken(email):
            raise serializers.ValidationError(
                _("A user is already registered with this e-mail address.")
            )
        return email

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().validate(data)
        # dj-rest-auth runs the validators that compare the password with the
        # user's data only in save(), reporting them as non-field errors.
        user_model = get_user_model()
        candidate = user_model(**{user_model.get_email_field_name(): data.get("email", "")})
        if data.get("username") and user_model.USERNAME_FIELD == "username":
            candidate.username = data["username"]
        try:
            get_adapter().clean_password(data["password1"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password1": exc.messages}) from exc
        validate_company(data)
        return data

    def custom_signup(self, request: Any, user: Any) -> None:
        data = self.validated_data
        if data.get("role"):
            assign_role(user, data["role"])
        profile = get_profile(user)
        for name in COMPANY_FIELDS:
            if data.get(name):
                setattr(profile, name, data[name])
        profile.save()


class LoginSerializer(BaseLoginSerializer):
    """dj-rest-auth's login through allauth's adapter, so allauth's failed-login
    limits (``ACCOUNT_RATE_LIMITS["login_failed"]``: per IP and per account)
    apply: once an account has too many failures, even the right password is
    refused (429) until the window ends. A success does not count.

    Set ``REST_AUTH["LOGIN_SERIALIZER"]`` to this class.
    """

    def authenticate(self, **credentials: Any) -> Any:
        request = self.context["request"]
        django_request = getattr(request, "_request", request)
        try:
            return get_adapter(django_request).authenticate(django_request, **credentials)
        except DjangoValidationError as exc:
            raise exceptions.Throttled(detail=" ".join(exc.messages)) from exc


class PasswordResetSerializer(BasePasswordResetSerializer):
    """Sends the reset link built from ``SHOP_ACCOUNTS["PASSWORD_RESET_URL"]``.

    Set ``REST_AUTH["PASSWORD_RESET_SERIALIZER"]`` to this class.
    """

    def get_email_options(self) -> dict[str, Any]:
        return {"url_generator": password_reset_url}


class SocialLoginSerializer(BaseSocialLoginSerializer):
    """A token the provider refuses is a 400, not a 500."""

    def get_social_login(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().get_social_login(*args, **kwargs)
        except OAuth2Error as exc:
            raise serializers.ValidationError(_("The provider refused this token.")) from exc


class CompanySerializer(serializers.ModelSerializer):
    """A business customer's company, as managers see it."""

    user_id = serializers.PrimaryKeyRelatedField(source="user", read_only=True)
    email = serializers.SerializerMethodField()
    company_verified_by = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = (
            "user_id",
            "email",
            "full_name",
            "customer_kind",
            "company_name",
            "tax_number",
            "company_verified",
            "company_verified_at",
            "company_verified_by",
        )
        read_only_fields = fields

    def get_email(self, profile: Profile) -> str:
        return getattr(profile.user, profile.user.get_email_field_name())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_company_verified_by(self, profile: Profile) -> str | None:
        by = profile.company_verified_by
        return getattr(by, by.get_email_field_name()) if by is not None else None


class CompanyVerificationSerializer(serializers.Serializer):
    verified = serializers.BooleanField()
