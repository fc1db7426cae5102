from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from dj_rest_auth.jwt_auth import CookieTokenRefreshSerializer
from dj_rest_auth.registration.serializers import RegisterSerializer as BaseRegisterSerializer
from dj_rest_auth.registration.serializers import SocialLoginSerializer as BaseSocialLoginSerializer
from dj_rest_auth.serializers import LoginSerializer as BaseLoginSerializer
from dj_rest_auth.serializers import PasswordChangeSerializer as BasePasswordChangeSerializer
from dj_rest_auth.serializers import (
    PasswordResetConfirmSerializer as BasePasswordResetConfirmSerializer,
)
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.contrib.auth import SESSION_KEY, get_user_model, update_session_auth_hash
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils import model_meta
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from shop_core.bounds import ascii_digits

from .adapter import password_reset_url
from .conf import app_settings
from .models import Profile, company_errors
from .selectors import user_roles
from .services import COMPANY_FIELDS, assign_role, get_profile, update_profile
from .services.credentials import lock_user
from .validators import validate_avatar, validate_inn

# Longest password accepted where one is set (as dj-rest-auth's password change).
PASSWORD_MAX_LENGTH = 128
# Longest provider token or code accepted from a client (Google's are far shorter).
SOCIAL_TOKEN_MAX_LENGTH = 4096
BIO_MAX_LENGTH = 2000
AVATAR_FIELDS = ["avatar", "avatar_thumbnail", "updated_at"]


class AsciiDigitsCharField(serializers.CharField):
    """A ``CharField`` whose other scripts' digits (``٧``, ``७``, ``７``) become ASCII
    before validation, so a rule written with ``[0-9]`` holds (phone, INN)."""

    def to_internal_value(self, data: Any) -> str:
        return ascii_digits(super().to_internal_value(data))


def validate_company(attrs: dict[str, Any], instance: Profile | None = None) -> None:
    """The company rule (``models.company_errors``) on the data sent, completed by
    what ``instance`` stores."""

    def value(name: str) -> Any:
        return attrs[name] if name in attrs else getattr(instance, name, "")

    errors = company_errors(**{name: value(name) for name in COMPANY_FIELDS})
    if errors:
        raise serializers.ValidationError(
            {name: [ErrorDetail(str(message), code="required")] for name, message in errors.items()}
        )


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
        extra_kwargs = {"bio": {"max_length": BIO_MAX_LENGTH}}

    digit_fields = ("phone", "tax_number")

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in self.digit_fields:
            field_class = AsciiDigitsCharField
        return field_class, kwargs

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

    def update(self, instance: Profile, validated_data: dict[str, Any]) -> Profile:
        # Only the avatar's columns: the rest of the row may have changed meanwhile.
        instance.avatar = validated_data["avatar"]
        instance.save(update_fields=AVATAR_FIELDS)  # Profile.save() makes the thumbnail
        return instance


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
        _save_changed_fields(instance, validated_data)
        if profile_data:
            profile_serializer = self.fields["profile"]
            profile_serializer.update(get_profile(instance), profile_data)
        return instance


def _save_changed_fields(instance: Any, validated_data: dict[str, Any]) -> None:
    """Save only the fields sent, not the whole row read at the start of the
    request: a password changed meanwhile must not be written back."""
    relations = model_meta.get_field_info(instance).relations
    many = {
        name: value
        for name, value in validated_data.items()
        if name in relations and relations[name].to_many
    }
    for name, value in validated_data.items():
        if name not in many:
            setattr(instance, name, value)
    columns = [name for name in validated_data if name not in many]
    if columns:
        instance.save(update_fields=columns)
    for name, value in many.items():
        getattr(instance, name).set(value)


class RegisterSerializer(BaseRegisterSerializer):
    """dj-rest-auth's registration plus an optional role and B2B company.

    Set ``REST_AUTH["REGISTER_SERIALIZER"]`` to this class.
    """

    role = serializers.ChoiceField(choices=[], required=False, help_text=_("An extra role."))
    customer_kind = serializers.ChoiceField(
        choices=Profile.CustomerKind.choices, default=Profile.CustomerKind.B2C
    )
    company_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    tax_number = AsciiDigitsCharField(
        max_length=12, required=False, allow_blank=True, validators=[validate_inn]
    )
    password1 = serializers.CharField(write_only=True, max_length=PASSWORD_MAX_LENGTH)
    password2 = serializers.CharField(write_only=True, max_length=PASSWORD_MAX_LENGTH)

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
        # Not dj-rest-auth's check, which says when a verified address is
        # taken: RegisterView decides what a taken address gets (enumeration
        # prevention), and the database refuses a second account. Lower case,
        # as allauth's own sign-up form stores it.
        return get_adapter().clean_email(email.lower())

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


class TokenRefreshSerializer(CookieTokenRefreshSerializer):
    """JWT refresh (with rotation) under the user's row lock.

    A password change updates that row, so it either waits for this refresh
    and then blacklists the rotated token too, or commits first and this
    refresh finds its token blacklisted: no refresh token outlives a change.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        with transaction.atomic():
            token = RefreshToken(self.extract_refresh_token())  # TokenError: 401
            user_id = token.payload.get(jwt_settings.USER_ID_CLAIM)
            if user_id is not None:
                lock_user(**{jwt_settings.USER_ID_FIELD: user_id})
            return super().validate(attrs)


class PasswordResetSerializer(BasePasswordResetSerializer):
    """Sends the reset link built from ``SHOP_ACCOUNTS["PASSWORD_RESET_URL"]``.

    Set ``REST_AUTH["PASSWORD_RESET_SERIALIZER"]`` to this class.
    """

    def get_email_options(self) -> dict[str, Any]:
        return {"url_generator": password_reset_url}


class PasswordChangeSerializer(BasePasswordChangeSerializer):
    """dj-rest-auth's password change, but the old password is always required,
    whatever ``REST_AUTH["OLD_PASSWORD_FIELD_ENABLED"]`` says. Whether it is
    right is checked by the view, which answers ``password_incorrect``."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.old_password_field_enabled = True
        self.fields["old_password"] = serializers.CharField(max_length=PASSWORD_MAX_LENGTH)

    def validate_old_password(self, value: str) -> str:
        return value

    def old_password_is_right(self) -> bool:
        return self.user.check_password(self.validated_data["old_password"])

    def save(self) -> None:
        _save_password(self.set_password_form)
        # A client logged in by session keeps it (token clients get no session).
        session = getattr(self.request, "session", None)
        if not self.logout_on_password_change and session is not None and SESSION_KEY in session:
            update_session_auth_hash(self.request, self.user)


class PasswordResetConfirmSerializer(BasePasswordResetConfirmSerializer):
    """dj-rest-auth's reset confirm, writing only the password column."""

    def save(self) -> Any:
        return _save_password(self.set_password_form)


def _save_password(form: Any) -> Any:
    """Save the new password alone: the rest of the row was read earlier and may
    be stale. The save ends the user's other credentials (see ``receivers``)."""
    user = form.save(commit=False)
    user.save(update_fields=["password"])
    return user


class VerifyEmailSerializer(serializers.Serializer):
    key = serializers.CharField(write_only=True, max_length=512)


class SocialLoginSerializer(BaseSocialLoginSerializer):
    """A token the provider refuses is a 400, not a 500; an absurdly long one is
    refused before anything is sent to the provider."""

    access_token = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )
    id_token = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )

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
