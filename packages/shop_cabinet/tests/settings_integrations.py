"""The test settings plus the optional integrations: shop_accounts (profile,
customer kind) and shop_bookings (upcoming bookings, export section).

Run: ``pytest --ds=tests.settings_integrations`` with django-shopapps-accounts and
django-shopapps-bookings installed. Tests marked ``without_apps`` are skipped here.
"""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, MIDDLEWARE

SITE_ID = 1
INSTALLED_APPS = [
    *INSTALLED_APPS[:-1],
    "django.contrib.sites",
    "rest_framework.authtoken",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "shop_accounts",
    "shop_bookings",
    INSTALLED_APPS[-1],  # django_cleanup stays last
]
MIDDLEWARE = [*MIDDLEWARE, "allauth.account.middleware.AccountMiddleware"]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The B2B block reads shop_accounts through its public selector, set here as a site does.
SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": "shop_accounts.selectors.business_profile"}
