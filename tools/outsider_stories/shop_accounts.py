"""Accounts: register, verify with the key from the e-mail, log in, read the
user; an unverified address cannot log in.

README: `manage.py seed_roles` after migrate, the API under
`/api/v1/accounts/` (`registration/`, `registration/verify-email/`, `login/`,
`user/`, `logout/`), token login (`Authorization: Token <key>`), the default
verification link `.../registration/verify-email/<key>/`.

With the `mfa` extra (`OUTSIDER_EXTRA=mfa`, the README's two-factor block):
set up TOTP with the app's code, then a password login answers 202 with a
ticket and only a recovery code completes it, once.
"""

import base64
import hashlib
import hmac
import os
import struct
import time

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


def totp(secret: str, at: float) -> str:
    """RFC 6238 as authenticator apps compute it (SHA-1, 6 digits, 30 s)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def two_factor(anyone, ann):
    setup = ann.post(API + "mfa/totp/setup/", status=200)
    activated = ann.post(
        API + "mfa/totp/activate/",
        {"ticket": setup["ticket"], "code": totp(setup["secret"], time.time())},
        status=201,
    )
    recovery = activated["recovery_codes"]
    if not ann.get(API + "mfa/")["active"]:
        fail("mfa/ does not say two-factor login is on after activation")
    step("TOTP set up with the app's code; recovery codes handed out")
    pending = anyone.post(
        API + "login/", {"email": "ann@example.com", "password": PASSWORD}, status=202
    )
    if not pending.get("mfa_required") or "key" in pending:
        fail(f"a password alone logged in with two-factor login on: {pending}")
    done = anyone.post(
        API + "login/mfa/", {"ticket": pending["ticket"], "code": recovery[0]}, status=200
    )
    Api().token("Token", done["key"]).get(API + "user/")
    again = anyone.post(
        API + "login/", {"email": "ann@example.com", "password": PASSWORD}, status=202
    )
    anyone.post(API + "login/mfa/", {"ticket": again["ticket"], "code": recovery[0]}, status=400)
    step("the password alone is not enough; a recovery code completes the login once")


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
    if os.environ.get("OUTSIDER_EXTRA") == "mfa":
        two_factor(anyone, ann)
    ann.post(API + "logout/", status=200)
    ann.get(API + "user/", status=401)

    register(anyone, "bob@example.com")
    anyone.post(API + "login/", {"email": "bob@example.com", "password": PASSWORD}, status=400)
    step("an unverified address cannot log in")


if __name__ == "__main__":
    run(story)
