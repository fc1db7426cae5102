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
        assert ExpiredKey().detail["detail"] == (
            "Срок действия ссылки для подтверждения истёк; запросите новую."
        )
        assert InvalidKey().detail["detail"] == "Эта ссылка для подтверждения недействительна."
        # dj-rest-auth's catalogue has this sentence too and comes first in INSTALLED_APPS.
        assert "старый пароль" in PasswordIncorrect().detail["old_password"][0].lower()
        assert ExpiredKey().detail["code"] == "expired_key"  # codes are never translated
