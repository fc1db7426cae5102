"""shop_accounts with JWT login: dj-rest-auth reads REST_AUTH once at
import, so JWT is tested in its own run (``pytest --ds=tests.settings_jwt -m jwt``)."""

from datetime import timedelta

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, REST_AUTH, REST_FRAMEWORK

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_simplejwt.token_blacklist"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # Bearer header only. A browser front end that prefers cookies uses
    # dj_rest_auth.jwt_auth.JWTCookieAuthentication with REST_AUTH["JWT_AUTH_COOKIE"].
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
}
# Refresh token in the response body too: mobile clients cannot read an
# HttpOnly cookie.
REST_AUTH = {**REST_AUTH, "USE_JWT": True, "JWT_AUTH_HTTPONLY": False}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Access tokens carry a hash of the password: a change or reset ends them
    # at once instead of at expiry (refresh tokens are blacklisted anyway).
    "CHECK_REVOKE_TOKEN": True,
}
