"""Two-factor login endpoints (``mfa/...`` and ``login/mfa/``), mounted only when
``allauth.mfa`` is installed. The rules are in ``services.mfa``."""

from __future__ import annotations

from typing import Any

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import PASSWORD_MAX_LENGTH
from .services import mfa, passkeys
from .views import NON_FIELD, AccountsAPIMixin, LoginView, _login_response, client_error

CODE_MAX_LENGTH = 32  # a TOTP code is 6 digits, a recovery code 8
TICKET_MAX_LENGTH = 1024


def _code_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=CODE_MAX_LENGTH, **kwargs)


class TicketCodeSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=TICKET_MAX_LENGTH)
    code = _code_field()


class CodeOrPasswordSerializer(serializers.Serializer):
    """A current second-factor code, or the password."""

    code = _code_field(required=False, allow_blank=True)
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, required=False, allow_blank=True
    )


class MFALoginSerializer(TicketCodeSerializer):
    """The second login step: the ticket of the first and a code."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = mfa.read_ticket(attrs["ticket"])
        mfa.verify_code(user, attrs["code"])
        mfa.spend_ticket(attrs["ticket"])
        return {**attrs, "user": user}


MFAStatusSerializer = inline_serializer(
    "MFAStatus",
    {
        "active": serializers.BooleanField(),
        "created_at": serializers.DateTimeField(allow_null=True),
        "last_used_at": serializers.DateTimeField(allow_null=True),
        "recovery_codes_left": serializers.IntegerField(),
        "passkeys": serializers.IntegerField(),
    },
)
_setup = inline_serializer(
    "TOTPSetup",
    {
        "secret": serializers.CharField(),
        "otpauth_url": serializers.CharField(),
        "ticket": serializers.CharField(),
    },
)
_recovery_codes = inline_serializer(
    "RecoveryCodes", {"recovery_codes": serializers.ListField(child=serializers.CharField())}
)
_expired_ticket = client_error(
    "ExpiredTicket", ["expired_ticket"], "The ticket expired: start again."
)
_code_errors = extend_validation_errors(["invalid_code"], field_name="code")
_ticket_errors = extend_validation_errors(["invalid_ticket"], field_name="ticket")


def _throttled(name: str) -> Any:
    return client_error(name, ["throttled"], "Too many code attempts for this account.")


@extend_schema_view(
    post=extend_schema(
        request=MFALoginSerializer,
        responses={200: _login_response, 410: _expired_ticket, 429: _throttled("MFALogin")},
    )
)
@_code_errors
@_ticket_errors
class MFALoginView(LoginView):
    """Second login step: ``ticket`` (from ``login/``) and a TOTP or recovery ``code``
    -> the same answer as a login without a second factor."""

    serializer_class = MFALoginSerializer

    def mfa_pending(self, user: Any) -> bool:
        return False  # this is the second step


class MFAStatusView(AccountsAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MFAStatusSerializer)
    def get(self, request: Request) -> Response:
        return Response(mfa.status(request.user))


@extend_validation_errors(["mfa_active"], field_name=NON_FIELD)
class TOTPSetupView(AccountsAPIMixin, APIView):
    """A new secret for the authenticator app and the ticket to activate it with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=_setup)
    def post(self, request: Request) -> Response:
        setup = mfa.start_totp(request.user)
        return Response(
            {"secret": setup.secret, "otpauth_url": setup.otpauth_url, "ticket": setup.ticket}
        )


@extend_validation_errors(["mfa_active"], field_name=NON_FIELD)
@_code_errors
@_ticket_errors
class TOTPActivateView(AccountsAPIMixin, APIView):
    """Turn TOTP on with the setup ticket and the app's current code; answers the
    recovery codes (shown once here; ``mfa/recovery-codes/`` makes new ones)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TicketCodeSerializer,
        responses={
            201: _recovery_codes,
            410: _expired_ticket,
            429: _throttled("TOTPActivate"),
        },
    )
    def post(self, request: Request) -> Response:
        body = TicketCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        codes = mfa.activate_totp(user=request.user, **body.validated_data)
        return Response({"recovery_codes": codes}, status=status.HTTP_201_CREATED)


@extend_validation_errors(["mfa_not_active"], field_name=NON_FIELD)
@extend_validation_errors(["password_incorrect"], field_name="password")
@_code_errors
class TOTPDeactivateView(AccountsAPIMixin, APIView):
    """Turn the second factor off with a current code (or a recovery code) or the password."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CodeOrPasswordSerializer,
        responses={204: None, 429: _throttled("TOTPDeactivate")},
    )
    def post(self, request: Request) -> Response:
        body = CodeOrPasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mfa.deactivate_totp(user=request.user, **body.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(["mfa_not_active"], field_name=NON_FIELD)
@extend_validation_errors(["password_incorrect"], field_name="password")
@_code_errors
class RecoveryCodesView(AccountsAPIMixin, APIView):
    """New recovery codes (the old ones end) with a current code or the password."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CodeOrPasswordSerializer,
        responses={200: _recovery_codes, 429: _throttled("RecoveryCodes")},
    )
    def post(self, request: Request) -> Response:
        body = CodeOrPasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        codes = mfa.regenerate_recovery_codes(user=request.user, **body.validated_data)
        return Response({"recovery_codes": codes})


# Passkeys (WebAuthn). The options are WebAuthn's JSON (``navigator.credentials``
# ``create``/``get`` after the usual base64url decoding, or a platform passkey API);
# ``challenge`` is the signed ticket of their challenge, answered once.
NAME_MAX_LENGTH = 100

_options = inline_serializer(
    "PasskeyChallenge",
    {"options": serializers.DictField(), "challenge": serializers.CharField()},
)
_passkey_fields = {
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "passwordless": serializers.BooleanField(),
    "created_at": serializers.DateTimeField(),
    "last_used_at": serializers.DateTimeField(allow_null=True),
}
_passkey = inline_serializer("Passkey", _passkey_fields)
_passkey_added = inline_serializer(
    "PasskeyAdded",
    {**_passkey_fields, "recovery_codes": serializers.ListField(child=serializers.CharField())},
)
_credential_errors = extend_validation_errors(["invalid_code"], field_name="credential")
_challenge_errors = extend_validation_errors(["invalid_ticket"], field_name="challenge")


class PasskeysOnlyMixin:
    """404 unless ``"webauthn"`` is in ``MFA_SUPPORTED_TYPES`` (read live)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not passkeys.enabled():
            raise exceptions.NotFound()


class PasskeyBeginSerializer(serializers.Serializer):
    passwordless = serializers.BooleanField(default=False)


class PasskeyAddSerializer(serializers.Serializer):
    challenge = serializers.CharField(max_length=TICKET_MAX_LENGTH)
    credential = serializers.DictField()
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH)


@extend_validation_errors(["invalid_code"], field_name="credential", methods=["post"])
@extend_validation_errors(["invalid_ticket"], field_name="challenge", methods=["post"])
class PasskeyListView(PasskeysOnlyMixin, AccountsAPIMixin, APIView):
    """GET: the user's passkeys. POST ``challenge`` (from ``mfa/passkeys/begin/``),
    ``credential`` (the authenticator's answer), optional ``name``: the new passkey,
    with recovery codes when it is the user's first second factor."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("Passkeys", _passkey_fields, many=True))
    def get(self, request: Request) -> Response:
        return Response([passkeys.describe(p) for p in passkeys.passkeys(request.user)])

    @extend_schema(
        request=PasskeyAddSerializer,
        responses={201: _passkey_added, 410: _expired_ticket},
    )
    def post(self, request: Request) -> Response:
        body = PasskeyAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        name = data.get("name") or get_mfa_adapter().generate_authenticator_name(
            request.user, Authenticator.Type.WEBAUTHN
        )
        added = passkeys.complete_registration(
            user=request.user, ticket=data["challenge"], credential=data["credential"], name=name
        )
        answer = {**passkeys.describe(added.passkey), "recovery_codes": added.recovery_codes}
        return Response(answer, status=status.HTTP_201_CREATED)


class PasskeyBeginView(PasskeysOnlyMixin, AccountsAPIMixin, APIView):
    """Creation options for a new passkey; ``passwordless``: one to log in without a
    password (a discoverable credential, user verification required)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasskeyBeginSerializer, responses=_options)
    def post(self, request: Request) -> Response:
        body = PasskeyBeginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = passkeys.begin_registration(request.user, **body.validated_data)
        return Response({"options": found.options, "challenge": found.ticket})


# A DELETE's body is not read for the schema's codes: the password field's own too.
@extend_validation_errors(
    [
        "password_incorrect",
        "required",
        "null",
        "blank",
        "invalid",
        "max_length",
        "null_characters_not_allowed",
        "surrogate_characters_not_allowed",
    ],
    field_name="password",
)
class PasskeyDetailView(PasskeysOnlyMixin, AccountsAPIMixin, APIView):
    """DELETE with the ``password``: the passkey is removed (404 for another's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        body = PasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            passkeys.remove(user=request.user, pk=pk, **body.validated_data)
        except Authenticator.DoesNotExist:
            raise exceptions.NotFound() from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=TICKET_MAX_LENGTH)


class PasskeyAnswerSerializer(serializers.Serializer):
    challenge = serializers.CharField(max_length=TICKET_MAX_LENGTH)
    credential = serializers.DictField()


class PasskeyMFALoginSerializer(PasskeyAnswerSerializer, LoginTicketSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = passkeys.complete_login(
            ticket=attrs["challenge"], credential=attrs["credential"], login_ticket=attrs["ticket"]
        )
        return {**attrs, "user": user}


class PasskeyLoginSerializer(PasskeyAnswerSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = passkeys.complete_login(ticket=attrs["challenge"], credential=attrs["credential"])
        return {**attrs, "user": user}


@extend_validation_errors(["invalid_ticket", "no_passkey"], field_name="ticket")
class PasskeyMFABeginView(PasskeysOnlyMixin, AccountsAPIMixin, APIView):
    """Second login step with a passkey: request options for the user of ``ticket``."""

    @extend_schema(request=LoginTicketSerializer, responses={200: _options, 410: _expired_ticket})
    def post(self, request: Request) -> Response:
        body = LoginTicketSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = passkeys.begin_login(body.validated_data["ticket"])
        return Response({"options": found.options, "challenge": found.ticket})


@extend_schema_view(
    post=extend_schema(
        request=PasskeyMFALoginSerializer,
        responses={
            200: _login_response,
            410: _expired_ticket,
            429: _throttled("PasskeyMFALogin"),
        },
    )
)
@_credential_errors
@_challenge_errors
@_ticket_errors
class PasskeyMFALoginView(PasskeysOnlyMixin, MFALoginView):
    """Second login step: the login ``ticket``, the ``challenge`` of
    ``login/mfa/passkey/begin/`` and the passkey's ``credential`` -> as ``login/``."""

    serializer_class = PasskeyMFALoginSerializer


class PasswordlessOnlyMixin(PasskeysOnlyMixin):
    """404 unless passkeys may log in alone (``MFA_PASSKEY_LOGIN_ENABLED``)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not passkeys.passwordless_enabled():
            raise exceptions.NotFound()


class PasskeyLoginBeginView(PasswordlessOnlyMixin, AccountsAPIMixin, APIView):
    """Request options for a passwordless login (any passkey the device discovers)."""

    @extend_schema(request=None, responses=_options)
    def post(self, request: Request) -> Response:
        found = passkeys.begin_login()
        return Response({"options": found.options, "challenge": found.ticket})


@extend_schema_view(
    post=extend_schema(
        request=PasskeyLoginSerializer,
        responses={200: _login_response, 410: _expired_ticket, 429: _throttled("PasskeyLogin")},
    )
)
@_credential_errors
@_challenge_errors
class PasskeyLoginView(PasswordlessOnlyMixin, MFALoginView):
    """Passwordless login: the ``challenge`` of ``login/passkey/begin/`` and the
    passkey's ``credential`` -> as ``login/``."""

    serializer_class = PasskeyLoginSerializer
