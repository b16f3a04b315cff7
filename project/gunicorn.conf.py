"""gunicorn settings shared by `make run` and production (`gunicorn -c project/gunicorn.conf.py`).

Logs use the same config as Django (JSON in production) and Django logs one access line per
request itself (ops.middleware), with the request id, so gunicorn's own access log is off.

This file is read by the master before a gevent worker monkey-patches the standard library, so
it imports nothing of Django's: only the environment (and .env) the settings read too.
"""

import os
from pathlib import Path

import environ

from ops.logs import default_log_format, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
env = environ.Env()

wsgi_app = "project.wsgi"
# Keep idle connections longer than clients and proxies reuse them for (nginx's upstream keepalive
# is 60 s): with gunicorn's default of 2 s, a client that sends its next request just as the
# server gives up on the connection gets it reset, and a POST is not retried. The load run saw
# that on a busy machine; an idle kept connection costs no thread in gthread or gevent.
keepalive = env.int("GUNICORN_KEEPALIVE", default=75)
accesslog = None
logconfig_dict = logging_config(
    fmt=env("LOG_FORMAT", default=default_log_format(debug=env.bool("DJANGO_DEBUG", default=False))),
    level=env("LOG_LEVEL", default="INFO"),
)
# Set here so the master and every worker agree on it (settings.py has the same default).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(BASE_DIR / "var" / "prometheus"))


def child_exit(server, worker) -> None:  # noqa: ANN001 (gunicorn's hook signature)
    # A worker that exited leaves its live gauges (open streams, pool in use) behind unless dropped.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, os.environ["PROMETHEUS_MULTIPROC_DIR"])


def post_worker_init(worker) -> None:  # noqa: ANN001 (gunicorn's hook signature)
    # The worker has loaded the app: take what it allocated so far (Django, the settings, the
    # modules) out of the cyclic garbage collector's reach. A full collection walks every tracked
    # object, and a replay of 10,000 events allocates enough to set one off: it took 80-100 ms
    # longer when one ran (bench/replay.py: p95 117-135 ms before, 39-50 ms with this).
    import gc

    gc.freeze()
