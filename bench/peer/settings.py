"""Settings of the peer: django-eventstream with its Redis storage and its Redis pub/sub, and as
little else as Django needs, so what is measured is django-eventstream.

No middleware, no auth, no database: a stream of the peer is anyone's. Outliner's stream checks a
bearer token and the task's owner and its view does more (resume from a Redis Stream, terminal
events), so its figures include work the peer never does.
"""

from __future__ import annotations

import os

import redis.connection

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-peer-only-secret-key-0123456789abcdefghijklmnop")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.peer.urls"
WSGI_APPLICATION = "bench.peer.wsgi.application"
INSTALLED_APPS: list[str] = []  # RedisStorage needs neither django_eventstream's models nor its statics
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# redis.Redis(**kwargs) for both: the storage keeps `event_counter:<channel>` and one
# `event:<channel>:<id>` key per event (24 h TTL) for Last-Event-ID resumes; EVENTSTREAM_REDIS makes
# send_event() PUBLISH every event on the one pub/sub channel `events_channel`, which each web
# process subscribes to once. Without it, send_event() only reaches listeners in its own process,
# and our producer is another process (as Outliner's Celery worker is).
_REDIS = redis.connection.parse_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"))
EVENTSTREAM_STORAGE_CLASS = "django_eventstream.storage.RedisStorage"
EVENTSTREAM_STORAGE_CONNECTION = _REDIS
EVENTSTREAM_REDIS = _REDIS
