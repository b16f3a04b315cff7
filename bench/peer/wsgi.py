"""WSGI entry of the peer, for gunicorn's gthread and gevent workers (streams via bench/peer/bridge.py)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
application = get_wsgi_application()
