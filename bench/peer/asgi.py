"""ASGI entry of the peer, for gunicorn's ``asgi`` worker: django-eventstream as its README deploys it."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
application = get_asgi_application()
