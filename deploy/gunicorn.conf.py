"""gunicorn settings of one app server of the site (see deploy/Procfile).

Sync workers: the site's views are short database calls; more processes, not
threads, use more cores. ``WEB_CONCURRENCY`` (read by gunicorn itself) sets
their number.
"""

import os

wsgi_app = "example_site.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# The master loads the site once (wsgi.py loads the URLs and freezes what it
# made), and the workers it forks share those pages instead of each loading
# its own copy: a worker's own memory is then what it writes. New code needs
# a restart of the master, not only a HUP.
preload_app = True
# A request stuck longer (a database that stopped answering) frees its worker.
timeout = 30
# On SIGTERM, finish the requests in flight first.
graceful_timeout = 20
# nginx keeps its upstream connections open (keepalive in nginx.conf).
keepalive = 30
# Only nginx on this host talks to gunicorn; it sets X-Forwarded-*.
forwarded_allow_ips = "127.0.0.1"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
