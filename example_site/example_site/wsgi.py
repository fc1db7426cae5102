import gc
import os

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve when one of the site's own
# fails (a per-process rate-limit cache in production, see checks.py).
from example_site.checks import SITE_TAG  # noqa: E402  (needs the apps loaded)

_errors = [error for error in run_checks(tags=[SITE_TAG]) if error.is_serious()]
if _errors:
    raise ImproperlyConfigured("\n".join(str(error) for error in _errors))

# Memory: a request's cyclic garbage that outlives two young collections (a
# long page) waits for a full collection, which Python runs only once such
# objects reach a quarter of all the long-lived ones: a worker grew by tens of
# MB under load (README.md, "Benchmarks"). So load the URLs now and freeze
# everything made so far (it lives as long as the process, and a full
# collection no longer walks it: under a millisecond), then collect fully
# after each request that pushed objects that far.
get_resolver().url_patterns  # noqa: B018  (imports the URL conf and its views)
gc.freeze()


def collect_request_garbage(**kwargs) -> None:
    if gc.get_count()[2]:  # middle-generation collections since the last full one
        gc.collect()


request_finished.connect(collect_request_garbage)
