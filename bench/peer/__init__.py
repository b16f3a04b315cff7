"""The peer the benchmarks compare Outliner's relay with: django-eventstream (PyPI) and its Redis
storage, in a Django project of its own, served by the same gunicorn as Outliner.

django-eventstream streams with an *async* generator, which Django can only stream under ASGI:
under WSGI, Django consumes the whole (endless) generator into a list before sending a byte
(django/http/response.py, StreamingHttpResponse.__iter__), and django-eventstream's README says
"WSGI mode can work too, but only in combination with a GRIP proxy". So the peer runs in one of
two ways (see bench/peer/views.py):

- ``bench.peer.asgi`` under gunicorn's own ASGI worker (``--worker-class asgi``): django-eventstream
  exactly as it intends, no shim;
- ``bench.peer.wsgi`` under gthread or gevent, the worker classes Outliner runs: the same view, its
  async generator driven by one event loop per process (bench/peer/bridge.py). That shim is ours.

Start one with ``bench.harness.start_gunicorn(port, app="bench.peer.wsgi", env=bench.peer.env())``
and publish from any process with ``bench.peer.producer.publish(channel, text)``.
"""

from __future__ import annotations

import os

SETTINGS = "bench.peer.settings"


def env(redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment a peer server (and a process that publishes to it) runs with."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "REDIS_URL": redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
