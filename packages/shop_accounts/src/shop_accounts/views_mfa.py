"""Two-factor login endpoints (``mfa/...`` and ``login/mfa/``), mounted only when
``allauth.mfa`` is installed. The rules are in ``services.mfa``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import PASSWORD_MAX_LENGTH
from .services import mfa
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
