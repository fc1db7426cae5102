import os

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve when one of the site's own
# fails (a per-process rate-limit cache in production, see checks.py).
from example_site.checks import SITE_TAG  # noqa: E402  (needs the apps loaded)

_errors = [error for error in run_checks(tags=[SITE_TAG]) if error.is_serious()]
if _errors:
    raise ImproperlyConfigured("\n".join(str(error) for error in _errors))
