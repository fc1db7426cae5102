"""Accounts: register, verify with the key from the e-mail, log in, read the
user; an unverified address cannot log in.

README: `manage.py seed_roles` after migrate, the API under
`/api/v1/accounts/` (`registration/`, `registration/verify-email/`, `login/`,
`user/`, `logout/`), token login (`Authorization: Token <key>`), the default
verification link `.../registration/verify-email/<key>/`.
"""

from story_kit import PASSWORD, Api, fail, find, outbox_to, run, step

API = "/api/v1/accounts/"


def register(anyone, email):
    answer = anyone.post(
        API + "registration/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        status=201,
    )
    if answer != {"detail": "Verification e-mail sent."}:
        fail(f"registration answered {answer}")


def story():
    from django.core.management import call_command

    call_command("seed_roles")
    step("manage.py seed_roles")

    anyone = Api()
    register(anyone, "ann@example.com")
    mails = outbox_to("ann@example.com")
    if len(mails) != 1:
        fail(f"expected one verification e-mail to ann@example.com, got {len(mails)}")
    key = find(r"/registration/verify-email/([^/\s]+)/", mails[0].body, "verification link")
    step("the verification e-mail holds the link with its key")
    anyone.post(API + "registration/verify-email/", {"key": key}, status=200)

    login = anyone.post(
        API + "login/", {"email": "ann@example.com", "password": PASSWORD}, status=200
    )
    ann = Api().token("Token", login["key"])
    me = ann.get(API + "user/")
    if me["email"] != "ann@example.com" or me["roles"] != ["customer"]:
        fail(f"user/ answered {me}")
    ann.post(API + "logout/", status=200)
    ann.get(API + "user/", status=401)

    register(anyone, "bob@example.com")
    anyone.post(API + "login/", {"email": "bob@example.com", "password": PASSWORD}, status=400)
    step("an unverified address cannot log in")


if __name__ == "__main__":
    run(story)
