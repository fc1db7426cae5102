import pytest, responses
from allauth.socialaccount.models import SocialAccount
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from .test_google import fake_google, google_login
pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("gv,lv", [(False, True), (True, False)])
@responses.activate
def test_dbg(api_client, make_user, mailoutbox, gv, lv):
    make_user("alice@example.com", email_verified=lv)
    fake_google("alice@example.com", verified=gv)
    r = google_login(api_client)
    print(r.status_code, r.content)
    print(list(get_user_model().objects.values("pk", "email", "username")))
    print(list(SocialAccount.objects.values("user", "uid")))
    print(list(EmailAddress.objects.values()))
    print([(m.subject, m.body) for m in mailoutbox])
    assert 0
