"""gunicorn settings for the KPSS web processes (``gunicorn -c deploy/gunicorn.conf.py``)."""

import multiprocessing
import os

wsgi_app = "kpss:create_app()"
bind = os.environ.get("KPSS_BIND", "127.0.0.1:8000")
# Pages are short database-bound requests: a few sync workers per core with threads
# for the waits on PostgreSQL.
workers = int(os.environ.get("KPSS_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KPSS_WEB_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers slowly against leaks
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("KPSS_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The app is built in each worker after fork: no database connection is shared.
preload_app = False
