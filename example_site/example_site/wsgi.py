import gc
import os

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from django.db import connections
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
# MB under load (README.md, "Benchmarks"). The objects made at start-up live
# as long as the process: frozen, they no longer count (nor are walked), so
# full collections come far sooner and cost little. (Collecting after every
# long request as well kept 6 MB more off and cost a third of the throughput.)
get_resolver().url_patterns  # noqa: B018  (imports the URL conf and its views)
# gunicorn's preload_app runs this in the master: no worker may inherit a
# database socket that start-up opened (workers then share one connection).
connections.close_all()
gc.freeze()
