"""The Russian translation is compiled and used."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shop_accounts.exceptions import ExpiredKey, InvalidKey, PasswordIncorrect
from shop_accounts.models import Profile
from shop_accounts.validators import validate_inn


def test_messages_are_translated_to_russian():
    with translation.override("ru"):
        with pytest.raises(ValidationError) as excinfo:
            validate_inn("7707083894")
        assert excinfo.value.messages == ["В этом ИНН неверная контрольная цифра."]
        assert str(Profile._meta.verbose_name) == "профиль"
        assert (
            translation.ngettext("%(count)d problem found.", "%(count)d problems found.", 3)
            % {"count": 3}
            == "Найдено 3 проблемы."
        )


def test_new_error_codes_are_translated():
    with translation.override("ru"):
        assert str(ExpiredKey().detail) == (
            "Срок действия ссылки для подтверждения истёк; запросите новую."
        )
        assert str(InvalidKey().detail) == "Эта ссылка для подтверждения недействительна."
        # dj-rest-auth's catalogue has this sentence too and comes first in INSTALLED_APPS.
        assert "старый пароль" in str(PasswordIncorrect().detail).lower()
        assert ExpiredKey().detail.code == "expired_key"  # codes are never translated


@pytest.mark.django_db
def test_error_answers_are_translated_and_codes_are_not(api_client):
    with translation.override("ru"):
        response = api_client.post(
            "/api/v1/accounts/registration/verify-email/", {"key": "forged"}, format="json"
        )
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {
            "code": "invalid_key",
            "detail": "Эта ссылка для подтверждения недействительна.",
            "attr": None,
        }
    ]


def test_two_factor_and_leaving_errors_are_translated():
    from shop_accounts.exceptions import CodeInvalid, CodeRequired, TicketExpired

    with translation.override("ru"):
        assert str(CodeInvalid().detail) == "Этот код недействителен."
        assert str(CodeRequired().detail) == "Введите код из приложения-аутентификатора."
        assert str(TicketExpired().detail) == "Время на этот шаг входа истекло; войдите заново."


@pytest.mark.django_db
def test_email_change_notice_is_translated(user_client, mailoutbox):
    with translation.override("ru"):
        user_client.post(
            "/api/v1/accounts/user/email/",
            {"email": "new@example.com", "password": "Correct-Horse-42"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    notice = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert notice.subject.endswith("Запрошена смена адреса e-mail")
    assert "на new@example.com" in notice.body


def test_leaving_and_passkey_errors_are_translated():
    from shop_accounts.exceptions import AccountInUse, NoPasskey

    with translation.override("ru"):
        assert str(AccountInUse().detail).startswith("Учётная запись ещё используется")
        assert str(NoPasskey().detail).startswith("У этой учётной записи нет ключа доступа")
