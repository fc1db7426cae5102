"""Serializers: they validate (every error with a code); services write.

The dj-rest-auth serializers are subclassed so that every error they answer
carries a stable code (Django's form and password-validator codes kept, the
login's and the reset link's named), and so that the package's rules hold.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import user_email
from allauth.socialaccount.helpers import complete_social_login
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
from django import forms
from django.contrib.auth import SESSION_KEY, get_user_model, update_session_auth_hash
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from requests.exceptions import HTTPError, RequestException
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from shop_core.fields import AsciiDigitsField

from .adapter import password_reset_url
from .conf import app_settings
from .exceptions import (
    AccountInactive,
    CodeFlowNotConfigured,
    CredentialsRequired,
    EmailNotVerified,
    InvalidCredentials,
    ProviderRefused,
    ProviderUnavailable,
    ResetTokenInvalid,
    ResetUidInvalid,
    SocialEmailTaken,
    TokenRequired,
)
from .models import COMPANY_FIELDS, Profile, company_errors
from .selectors import email_taken, user_roles
from .services import get_profile, update_profile, update_user
from .services.credentials import lock_user, save_password
from .services.registration import complete_signup
from .services.sessions import rotated
from .validators import validate_avatar, validate_inn, validate_profile_phone

# Longest password accepted where one is set (as dj-rest-auth's password change).
PASSWORD_MAX_LENGTH = 128
# Longest provider token or code accepted from a client (Google's are far shorter).
SOCIAL_TOKEN_MAX_LENGTH = 4096
BIO_MAX_LENGTH = 2000
# Codes of Django's stock password validators and of two passwords that differ.
PASSWORD_CODES = [
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
]
PASSWORD_MISMATCH = "password_mismatch"


def form_errors(form: forms.Form) -> dict[str, list[ErrorDetail]]:
    """A bound, invalid Django form's errors as DRF's, each with the form's code."""
    detail = get_error_detail(DjangoValidationError(form.errors.as_data()))
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


def coded(field: str, message: Any, code: str) -> serializers.ValidationError:
    """A validation error about ``field`` with ``code``."""
    return serializers.ValidationError({field: [ErrorDetail(str(message), code=code)]})


def validate_company(attrs: dict[str, Any], instance: Profile | None = None) -> None:
    """The company rule (``models.company_errors``) on the data sent, completed by
    what ``instance`` stores. Code ``required`` on each missing field."""

    def value(name: str) -> Any:
        return attrs[name] if name in attrs else getattr(instance, name, "")

    errors = company_errors(**{name: value(name) for name in COMPANY_FIELDS})
    if errors:
        raise serializers.ValidationError(
            {name: [ErrorDetail(str(message), code="required")] for name, message in errors.items()}
        )


def _tax_number_field(**kwargs: Any) -> AsciiDigitsField:
    return AsciiDigitsField(
        max_length=12, required=False, allow_blank=True, validators=[validate_inn], **kwargs
    )


class ProfileSerializer(serializers.ModelSerializer):
    """The profile as its owner sees and edits it (nested in ``UserSerializer``).

    ``phone`` is E.164 (``validate_profile_phone``); phone and INN typed with
    another script's digits are read as ASCII.
    """

    phone = AsciiDigitsField(
        max_length=128, required=False, allow_blank=True, validators=[validate_profile_phone]
    )
    tax_number = _tax_number_field()

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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        validate_company(attrs, self.instance)
        return attrs

    def update(self, instance: Profile, validated_data: dict[str, Any]) -> Profile:
        return update_profile(profile=instance, **validated_data)


class AvatarSerializer(serializers.ModelSerializer):
    """``avatar`` in (any file: its decoded content is judged, codes ``image_*``);
    the stored ``avatar`` and ``avatar_thumbnail`` URLs out."""

    avatar = serializers.FileField(allow_empty_file=True, validators=[validate_avatar])

    class Meta:
        model = Profile
        fields = ("avatar", "avatar_thumbnail")
        read_only_fields = ("avatar_thumbnail",)


def _user_model_fields(model: Any) -> tuple[str, ...]:
    """The optional fields shown that the user model has (besides pk and e-mail)."""
    existing = {field.name for field in model._meta.get_fields()}
    email = model.get_email_field_name()
    optional = ("username", "first_name", "last_name", "date_joined")
    return tuple(name for name in optional if name in existing and name != email)


class UserSerializer(serializers.ModelSerializer):
    """The current user with roles and profile (``GET/PATCH .../user/``).

    Works with any user model: only the fields that the model has are shown;
    ``email`` is the model's e-mail field, whatever its name, and is changed
    through allauth's e-mail management, not here. Writes go through
    ``services.update_user`` (the view calls it with the validated data).
    """

    email = serializers.SerializerMethodField()
    profile = ProfileSerializer(source="shop_profile", required=False)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ("pk", "email", *_user_model_fields(model), "roles", "profile")
        read_only_fields = tuple(
            name
            for name in ("pk", *_user_model_fields(model))
            if name not in ("first_name", "last_name")
        )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, (list, QuerySet)):
            # The nested profile validates against the stored profile (B2B
            # rules need the fields the request does not send).
            self.fields["profile"].instance = get_profile(self.instance)

    @extend_schema_field(serializers.EmailField())
    def get_email(self, user: Any) -> str:
        return getattr(user, user.get_email_field_name())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user: Any) -> list[str]:
        return user_roles(user)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        instance.shop_profile = get_profile(instance)  # users older than the app
        return super().to_representation(instance)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        data = dict(validated_data)
        return update_user(user=instance, profile=data.pop("shop_profile", None), **data)


class RegisterSerializer(BaseRegisterSerializer):
    """dj-rest-auth's registration plus an optional role and B2B company.

    Set ``REST_AUTH["REGISTER_SERIALIZER"]`` to this class.
    """

    role = serializers.ChoiceField(choices=[], required=False, help_text=_("An extra role."))
    customer_kind = serializers.ChoiceField(
        choices=Profile.CustomerKind.choices, default=Profile.CustomerKind.B2C
    )
    company_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    tax_number = _tax_number_field()
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
        if app_settings.REGISTRATION_ROLES:
            self.fields["role"].choices = app_settings.REGISTRATION_ROLES
        else:  # no role to choose: no field (an enum of no values is not valid OpenAPI)
            del self.fields["role"]

    def validate_email(self, email: str) -> str:
        # Not dj-rest-auth's check, which says when a verified address is
        # taken: RegisterView decides what a taken address gets (enumeration
        # prevention), and the database refuses a second account. Lower case,
        # as allauth's own sign-up form stores it.
        return get_adapter().clean_email(email.lower())

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["password1"] != data["password2"]:
            raise coded("password2", _("The two password fields didn't match."), PASSWORD_MISMATCH)
        # dj-rest-auth runs the validators that compare the password with the
        # user's data only in save(); here they are field errors with codes.
        try:
            get_adapter().clean_password(data["password1"], user=self._candidate(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password1": get_error_detail(exc)}) from exc
        validate_company(data)
        return data

    def _candidate(self, data: dict[str, Any]) -> Any:
        """An unsaved user with the data the password must not resemble."""
        user_model = get_user_model()
        candidate = user_model(**{user_model.get_email_field_name(): data.get("email", "")})
        if data.get("username") and user_model.USERNAME_FIELD != user_model.get_email_field_name():
            setattr(candidate, user_model.USERNAME_FIELD, data["username"])
        return candidate

    def custom_signup(self, request: Any, user: Any) -> None:
        data = self.validated_data
        complete_signup(
            user=user, role=data.get("role"), **{name: data.get(name) for name in COMPANY_FIELDS}
        )


class LoginSerializer(BaseLoginSerializer):
    """dj-rest-auth's login with coded errors, through allauth's adapter, so allauth's
    failed-login limits (``ACCOUNT_RATE_LIMITS["login_failed"]``: per IP and per
    account) apply: once an account has too many failures, even the right password
    is refused (429) until the window ends. A success does not count.

    Set ``REST_AUTH["LOGIN_SERIALIZER"]`` to this class.
    """

    def authenticate(self, **credentials: Any) -> Any:
        request = self.context["request"]
        django_request = getattr(request, "_request", request)
        try:
            return get_adapter(django_request).authenticate(django_request, **credentials)
        except DjangoValidationError as exc:
            raise exceptions.Throttled(detail=" ".join(exc.messages)) from exc

    def get_auth_user(self, username: str, email: str, password: str) -> Any:
        try:
            return super().get_auth_user(username, email, password)
        except exceptions.ValidationError as exc:  # 'Must include "email" and "password".'
            raise CredentialsRequired() from exc

    @staticmethod
    def validate_email_verification_status(user: Any, email: str | None = None) -> None:
        # As dj-rest-auth's, but with the model's e-mail field, whatever its name,
        # and the address typed must be verified too: allauth's backend also finds
        # a user by the unconfirmed new address of an e-mail change.
        mandatory = allauth_settings.EmailVerificationMethod.MANDATORY
        if allauth_settings.EMAIL_VERIFICATION != mandatory:
            return
        address = email or getattr(user, user.get_email_field_name())
        verified = EmailAddress.objects.filter(user=user, email__iexact=address, verified=True)
        if not verified.exists():
            raise EmailNotVerified()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.get_auth_user(attrs.get("username"), attrs.get("email"), attrs.get("password"))
        if not user:
            raise InvalidCredentials()
        if not user.is_active:
            raise AccountInactive()
        self.validate_email_verification_status(user, email=attrs.get("email"))
        attrs["user"] = user
        return attrs


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
            data = super().validate(attrs)
            if "refresh" in data:  # rotated: the sign-in follows the new token
                rotated(token["jti"], RefreshToken(data["refresh"], verify=False)["jti"])
            return data


class LogoutSerializer(serializers.Serializer):
    """The JWT logout's body: the refresh token to blacklist."""

    refresh = serializers.CharField(required=False, max_length=SOCIAL_TOKEN_MAX_LENGTH)


class PasswordResetSerializer(BasePasswordResetSerializer):
    """Sends the reset link built from ``SHOP_ACCOUNTS["PASSWORD_RESET_URL"]``.

    Set ``REST_AUTH["PASSWORD_RESET_SERIALIZER"]`` to this class.
    """

    def get_email_options(self) -> dict[str, Any]:
        return {"url_generator": password_reset_url}

    def validate_email(self, value: str) -> str:
        self.reset_form = self.password_reset_form_class(data=self.initial_data)
        if not self.reset_form.is_valid():
            raise serializers.ValidationError(
                [error for errors in form_errors(self.reset_form).values() for error in errors]
            )
        return value


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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        self.set_password_form = self.set_password_form_class(user=self.user, data=attrs)
        if not self.set_password_form.is_valid():
            raise serializers.ValidationError(form_errors(self.set_password_form))
        return attrs

    def old_password_is_right(self) -> bool:
        return self.user.check_password(self.validated_data["old_password"])

    def save(self) -> None:
        save_password(self.set_password_form)
        # A client logged in by session keeps it (token clients get no session).
        session = getattr(self.request, "session", None)
        if not self.logout_on_password_change and session is not None and SESSION_KEY in session:
            update_session_auth_hash(self.request, self.user)


class PasswordResetConfirmSerializer(BasePasswordResetConfirmSerializer):
    """dj-rest-auth's reset confirm with coded errors (``invalid_uid``,
    ``invalid_token``, the password validators'), writing only the password."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from allauth.account.forms import default_token_generator
        from allauth.account.utils import url_str_to_user_pk

        user_model = get_user_model()
        try:
            self.user = user_model._default_manager.get(pk=url_str_to_user_pk(attrs["uid"]))
        except (TypeError, ValueError, OverflowError, user_model.DoesNotExist):
            raise ResetUidInvalid() from None
        if not default_token_generator.check_token(self.user, attrs["token"]):
            raise ResetTokenInvalid()
        self.set_password_form = self.set_password_form_class(user=self.user, data=attrs)
        if not self.set_password_form.is_valid():
            raise serializers.ValidationError(form_errors(self.set_password_form))
        return attrs

    def save(self) -> Any:
        return save_password(self.set_password_form)


class VerifyEmailSerializer(serializers.Serializer):
    key = serializers.CharField(write_only=True, max_length=512)


class SocialLoginSerializer(BaseSocialLoginSerializer):
    """dj-rest-auth's social login, its flow rewritten with coded errors and for any
    user model: ``token_required`` without a token or code, ``provider_refused``
    when the provider refuses it (a 400, not a 500), ``taken`` when an account
    already has the address and allauth could not link it (the provider did not
    verify the address). An absurdly long token is refused before anything is sent.
    """

    access_token = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )
    id_token = serializers.CharField(
        required=False, allow_blank=True, max_length=SOCIAL_TOKEN_MAX_LENGTH
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("access_token") or attrs.get("code")):
            raise TokenRequired()
        view = self.context["view"]
        adapter = view.adapter_class(self._get_request())
        app = adapter.get_provider().app
        token, parsed = self._provider_tokens(attrs, view, adapter, app)
        social_token = adapter.parse_token(parsed)
        social_token.app = app
        login = self._complete(adapter, app, social_token, token, attrs)
        attrs["user"] = login.account.user
        return attrs

    def _provider_tokens(self, attrs: dict[str, Any], view: Any, adapter: Any, app: Any) -> Any:
        """``(token, tokens to parse)``: the client's access token, or the one its
        ``code`` is exchanged for at the provider."""
        if attrs.get("access_token"):
            parsed = {"access_token": attrs["access_token"]}
            if attrs.get("id_token"):
                parsed["id_token"] = attrs["id_token"]
            return attrs["access_token"], parsed
        self.set_callback_url(view=view, adapter_class=view.adapter_class)
        client = view.client_class(
            self._get_request(),
            app.client_id,
            app.secret,
            adapter.access_token_method,
            adapter.access_token_url,
            self.callback_url,
            scope_delimiter=adapter.scope_delimiter,
            headers=adapter.headers,
            basic_auth=adapter.basic_auth,
        )
        try:
            token = client.get_access_token(attrs["code"])
        except OAuth2Error as exc:
            raise ProviderRefused() from exc
        except RequestException as exc:
            raise ProviderUnavailable() from exc
        keys = ("access_token", "refresh_token", "id_token", adapter.expires_in_key)
        return token, {key: token[key] for key in keys if key in token}

    def set_callback_url(self, view: Any, adapter_class: Any) -> None:
        self.callback_url = getattr(view, "callback_url", None)
        if not self.callback_url:
            raise CodeFlowNotConfigured()

    def get_social_login(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().get_social_login(*args, **kwargs)
        except (OAuth2Error, HTTPError) as exc:
            raise ProviderRefused() from exc
        except RequestException as exc:  # not an answer of Google's: it could not be reached
            raise ProviderUnavailable() from exc

    def _complete(self, adapter: Any, app: Any, social_token: Any, token: Any, attrs: Any) -> Any:
        """allauth's social login (or sign-up, or link by verified e-mail)."""
        request = self._get_request()
        if isinstance(token, dict):  # the provider's answer to a code exchange
            response = token
        else:  # the client's own access token (an id_token may come beside it)
            response = {"id_token": attrs.get("id_token")}
        login = self.get_social_login(adapter, app, social_token, response)
        try:
            answer = complete_social_login(request, login)
        except HTTPError as exc:
            raise ProviderRefused() from exc
        except RequestException as exc:
            raise ProviderUnavailable() from exc
        if isinstance(answer, HttpResponseBadRequest):
            raise ProviderRefused()
        if not login.is_existing:
            self._sign_up(request, login, attrs)
        return login

    def _sign_up(self, request: Any, login: Any, attrs: dict[str, Any]) -> None:
        # allauth could not sign up or link automatically (the address belongs to an
        # account and the provider did not verify it): refuse rather than link.
        if allauth_settings.UNIQUE_EMAIL and email_taken(user_email(login.user) or ""):
            raise SocialEmailTaken()
        login.lookup()
        try:
            login.save(request, connect=True)
        except IntegrityError as exc:
            raise SocialEmailTaken() from exc
        self.post_signup(login, attrs)


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
