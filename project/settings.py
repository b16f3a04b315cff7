"""Outliner settings: one module, read from environment variables (12-factor).

Defaults make `make run` work on a laptop (SQLite, local Redis, DEBUG on).
Production is a set of env vars (see .env.example), not a second settings file.
"""

import ipaddress
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from ops.logs import default_log_format, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is convenient in development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --------------------------------------------------------------------------- core
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No real default for the secret: development gets an obviously-insecure one only when DEBUG is on.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "waffle",
    "csp",
    "tailwind",
    "theme",
    "components",
    "ops",
    "documents",
    # Its Swagger UI from our static files (without it, ninja's page loads it from a CDN). After
    # ours, so documents/templates/ninja/swagger.html (the page in our layout) is the one used.
    "ninja",
]
if DEBUG:
    INSTALLED_APPS += ["django_browser_reload"]

MIDDLEWARE = [
    # Outermost, so the request id and the latency cover everything below it.
    "ops.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads a form's body: an oversize body is refused unread.
    "documents.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.middleware.UserContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ops.middleware.HtmxLoginRedirectMiddleware",
    "waffle.middleware.WaffleMiddleware",  # keeps a percentage rollout's choice in a cookie
]
if DEBUG:
    MIDDLEWARE += ["django_browser_reload.middleware.BrowserReloadMiddleware"]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "documents.context_processors.features",
            ],
        },
    },
]

# ---------------------------------------------------------------------- database
# SQLite by default so a fresh machine needs nothing; DATABASE_URL switches to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # A file (not :memory:) so a Celery worker process in the integration tests sees the test
    # data; one per test run, so concurrent runs never share (or inherit a stale WAL from) it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -------------------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "documents:document_list"
LOGOUT_REDIRECT_URL = "login"

# ------------------------------------------------------------------------- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# ------------------------------------------------------------------ static/media
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/ holds our own JS modules; node_modules/ is filled by `npm ci` at set-up and only
# the third-party browser builds we use are exposed (never copied into the repo).
# static/vendor/ holds links into node_modules (made at set-up by the Makefile).
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development gunicorn serves straight from the finders, so no collectstatic per edit.
WHITENOISE_USE_FINDERS = DEBUG
# Tests set it too: without it every test client's handler scans the collected files (about 200)
# again when WhiteNoise starts, 20-30 ms per test.
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="project.storage.ManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# ------------------------------------------------------------------------ upload
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=20)
# All the files of one upload from the page's form together (it takes several at once); the
# proxy's body cap (nginx client_max_body_size) must be at least this.
MAX_UPLOAD_REQUEST_MB = env.int("MAX_UPLOAD_REQUEST_MB", default=60)
# Zip-bomb guards: applied to the .docx package before any XML is parsed.
MAX_UNCOMPRESSED_MB = env.int("MAX_UNCOMPRESSED_MB", default=200)
MAX_COMPRESSION_RATIO = env.int("MAX_COMPRESSION_RATIO", default=200)
# Headings (sections) one document may have: a 600-page manual has a few hundred.
MAX_SECTIONS = env.int("MAX_SECTIONS", default=2000)
# Let Django spool large bodies to disk; our own limit gives the user-facing 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("MAX_UPLOAD_FILES", default=20)

# ------------------------------------------------------------------ redis/celery
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --------------------------------------------------------------------------- LLM
# Any OpenAI-compatible endpoint. Unset LLM_BASE_URL means the bundled offline model that
# `make run` and the tests start with `manage.py runmodel` on MODEL_SERVER_PORT.
MODEL_SERVER_HOST = env("MODEL_SERVER_HOST", default="127.0.0.1")
MODEL_SERVER_PORT = env.int("MODEL_SERVER_PORT", default=8765)
LLM_BASE_URL = env("LLM_BASE_URL", default="") or f"http://{MODEL_SERVER_HOST}:{MODEL_SERVER_PORT}/v1"
LLM_BUNDLED = not env("LLM_BASE_URL", default="")
LLM_PROVIDER = env("LLM_PROVIDER", default="openai")
LLM_API_KEY = env("LLM_API_KEY", default="not-needed")
LLM_MODEL = env("LLM_MODEL", default="gemma3-270m")
LLM_API_STYLE = env("LLM_API_STYLE", default="completions" if LLM_BUNDLED else "chat")
LLM_CONNECT_TIMEOUT = env.float("LLM_CONNECT_TIMEOUT", default=5.0)
LLM_FIRST_TOKEN_TIMEOUT = env.float("LLM_FIRST_TOKEN_TIMEOUT", default=60.0)
LLM_TOKEN_TIMEOUT = env.float("LLM_TOKEN_TIMEOUT", default=30.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=3)
LLM_RETRY_BACKOFF = env.float("LLM_RETRY_BACKOFF", default=0.5)
MODEL_CTX = env.int("MODEL_CTX", default=4096)
MODEL_PARALLEL = env.int("MODEL_PARALLEL", default=2)
MODEL_THREADS = env.int("MODEL_THREADS", default=2)
# Sampling fields the backend knows beyond the OpenAI API's (sent as they are; JSON): with every
# request, and added on a point's retry. A point is asked for greedily first, with a light repeat
# penalty: DRY and a stronger repeat penalty also punish the words of the sentence the point
# condenses (they sit in the prompt), and pushed the bundled model off the text (docs/benchmarks.md).
# The retry, a little warmer, gets them: a first answer that looped is asked for against loops.
# A backend that refuses unknown fields (OpenAI) gets none.
LLM_SAMPLING_EXTRA = env.json("LLM_SAMPLING_EXTRA", default={"repeat_penalty": 1.05} if LLM_BUNDLED else {})
LLM_RETRY_SAMPLING_EXTRA = env.json(
    "LLM_RETRY_SAMPLING_EXTRA",
    default={"repeat_penalty": 1.1, "dry_multiplier": 0.8, "dry_base": 1.75, "dry_allowed_length": 2}
    if LLM_BUNDLED
    else {},
)

# ------------------------------------------------------------- streaming/outline
# Redis connections per process are bounded, whatever the number of streams: one reader thread
# per web process tails every open stream on its own connection and fans out to clients
# (documents/relay/); everything else shares this pool and waits for a free connection. Every
# command a stream sends is a round trip of well under a millisecond (the catch-up is one
# pipeline), so three shared connections serve 5,000 clients connecting 50 at a time with no
# failure, and the first heartbeat comes sooner than with 100 (bench/capacity.py: p99 5.4 s after
# the headers with a 5 s interval, was 9.3 s; Redis connections 4 at most, were 51).
REDIS_POOL_SIZE = env.int("REDIS_POOL_SIZE", default=3)
REDIS_POOL_TIMEOUT = env.float("REDIS_POOL_TIMEOUT", default=5.0)
STREAM_TTL_SECONDS = env.int("STREAM_TTL_SECONDS", default=3600)  # after the terminal event
STREAM_IDLE_TTL_SECONDS = env.int("STREAM_IDLE_TTL_SECONDS", default=86400)  # a stream nobody finishes
STREAM_MAXLEN = env.int("STREAM_MAXLEN", default=20000)
SSE_HEARTBEAT_SECONDS = env.float("SSE_HEARTBEAT_SECONDS", default=15.0)
# An idle stream asks the database whether its task finished (its end lost on the way through Redis)
# at its first heartbeat, then at most this often: thousands of idle streams under gevent would
# otherwise make a query each per heartbeat (bench/capacity.py).
SSE_FINISHED_CHECK_SECONDS = env.float("SSE_FINISHED_CHECK_SECONDS", default=30.0)
# How long a stream of a task the database calls finished waits for the task's last events to
# reach Redis (the worker saves first, then publishes them) before it serves the saved copy.
SSE_END_GRACE_SECONDS = env.float("SSE_END_GRACE_SECONDS", default=2.0)
SSE_RETRY_MS = env.int("SSE_RETRY_MS", default=2000)
SSE_MAX_DURATION_SECONDS = env.float("SSE_MAX_DURATION_SECONDS", default=600.0)
# Open streams one user, and one task, may hold across every web process (documents/relay/slots.py);
# one more gets 429 too_many_streams with Retry-After. 0 is no limit. A stream holds a thread
# (gthread) or a greenlet (gevent): without a cap, 70 streams of one account took the site down.
SSE_MAX_STREAMS_PER_USER = env.int("SSE_MAX_STREAMS_PER_USER", default=20)
SSE_MAX_STREAMS_PER_TASK = env.int("SSE_MAX_STREAMS_PER_TASK", default=10)
# Under gthread an idle stream looks at its connection this often to see whether the client left,
# and frees its thread then (otherwise only the next heartbeat's write would fail: up to 15 s
# later). Under gevent the loop tells it when the socket closes (documents/relay/client.py).
SSE_DISCONNECT_CHECK_SECONDS = env.float("SSE_DISCONNECT_CHECK_SECONDS", default=0.5)
# Under gevent the stream hub writes each event straight to the sockets of the readers waiting for
# it, and wakes only those whose socket is full (documents/relay/hub.py): one event to 5,000
# readers of one task took 628 ms when each reader's greenlet wrote it. Off: every stream writes
# its own events, as under gthread (bench/capacity.py compares the two).
SSE_HUB_WRITES = env.bool("SSE_HUB_WRITES", default=True)
OUTLINE_CHUNK_CHARS = env.int("OUTLINE_CHUNK_CHARS", default=32)
OUTLINE_CHUNK_MS = env.int("OUTLINE_CHUNK_MS", default=80)
OUTLINE_SECTION_CHARS = env.int("OUTLINE_SECTION_CHARS", default=1200)
# Tokens one bullet point may take (a point is at most ~25 words or ~50 CJK characters).
OUTLINE_POINT_TOKENS = env.int("OUTLINE_POINT_TOKENS", default=56)
# Sections prepared at once, ahead of the one being streamed: the model server's parallel slots.
OUTLINE_PARALLEL = env.int("OUTLINE_PARALLEL", default=MODEL_PARALLEL if LLM_BUNDLED else 4)
OUTLINE_SAVE_EVERY_SECONDS = env.float("OUTLINE_SAVE_EVERY_SECONDS", default=2.0)
OUTLINE_TASK_TIMEOUT_SECONDS = env.float("OUTLINE_TASK_TIMEOUT_SECONDS", default=1800.0)
# The worker stamps heartbeat_at this often; the reaper fails a task whose stamp is older than
# WORKER_LOST_AFTER_SECONDS (so "running" ends within that plus REAPER_INTERVAL_SECONDS).
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=5.0)
WORKER_LOST_AFTER_SECONDS = env.float("WORKER_LOST_AFTER_SECONDS", default=30.0)
REAPER_INTERVAL_SECONDS = env.float("REAPER_INTERVAL_SECONDS", default=10.0)
QUEUED_REDELIVER_AFTER_SECONDS = env.float("QUEUED_REDELIVER_AFTER_SECONDS", default=300.0)
# Whole outlines the workers run at once (their concurrency, summed): the queue's "starts in about"
# estimate divides the line by it. `make run` starts one worker with two slots.
OUTLINE_WORKER_SLOTS = env.int("OUTLINE_WORKER_SLOTS", default=2)
MAX_API_TOKENS_PER_USER = env.int("MAX_API_TOKENS_PER_USER", default=20)
MAX_ACTIVE_TASKS_PER_USER = env.int("MAX_ACTIVE_TASKS_PER_USER", default=3)
# An outline's Markdown, at most (characters): a 36,000-word document's outline is about 20,000.
MAX_OUTLINE_CHARS = env.int("MAX_OUTLINE_CHARS", default=200_000)
# Fairness: whole-document outlines one user may have *running* at once. Their others wait in the
# queue (handed back every DEFERRED_TASK_RETRY_SECONDS), so another user's outline finds a free
# worker slot. 1 suits `make run` (two slots); raise it with the workers' concurrency.
MAX_RUNNING_TASKS_PER_USER = env.int("MAX_RUNNING_TASKS_PER_USER", default=1)
DEFERRED_TASK_RETRY_SECONDS = env.float("DEFERRED_TASK_RETRY_SECONDS", default=2.0)
MAX_QUEUED_TASKS = env.int("MAX_QUEUED_TASKS", default=100)
QUEUE_FULL_RETRY_AFTER_SECONDS = env.int("QUEUE_FULL_RETRY_AFTER_SECONDS", default=30)
LLM_STREAM_USAGE = env.bool("LLM_STREAM_USAGE", default=True)
# Longer than the longest outline task, so Redis never redelivers a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600)
}
CELERY_TASK_IGNORE_RESULT = True
# `make test` gives each run its own queue, so two runs on one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    "outline-reap": {"task": "documents.tasks.outline_reap", "schedule": REAPER_INTERVAL_SECONDS},
}

# ------------------------------------------------------------------ feature flags
# django-waffle flags, edited in the admin (documents.Flag adds "excluded users").
# `streaming`: task cards stream over SSE; off, they poll for the partial text every second.
WAFFLE_FLAG_MODEL = "documents.Flag"
# A flag nobody created yet (a fresh database before migrations ran, say) is on: streaming is the
# normal path, the switch exists to turn it off.
WAFFLE_FLAG_DEFAULT = True
# waffle's own admin pages would show its unused built-in Flag model; documents.admin has ours.
WAFFLE_ENABLE_ADMIN_PAGES = False
# Flags are cached per process for a few seconds, so an admin change reaches every web process soon.
WAFFLE_CACHE_NAME = "flags"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "flags": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "flags", "TIMEOUT": 5},
    # Rendered outline HTML, keyed by a hash of its Markdown (a saved version never changes), so
    # a long outline is rendered once per process, not on every page view.
    "markdown": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "markdown",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # Rate-limit counters are shared by every web process, so they live in Redis.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "outliner:ratelimit",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}

# ------------------------------------------------------------------- rate limits
# ops/ratelimits.py: "<count>/<period>" with period s, m, h or d (e.g. "30/10m"); "" is off.
RATELIMIT_USE_CACHE = "ratelimit"
# Behind a proxy every client has the proxy's address: name the header it sets (e.g.
# HTTP_X_REAL_IP) so the per-address limits count clients, not the proxy.
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default=None)
LOGIN_RATE_PER_IP = env("LOGIN_RATE_PER_IP", default="30/5m")
# Per username from one address, and a higher ceiling per username from everywhere: ten wrong
# passwords from an attacker's address do not lock the user out of her own.
LOGIN_RATE_PER_USERNAME_IP = env("LOGIN_RATE_PER_USERNAME_IP", default="10/5m")
LOGIN_RATE_PER_USERNAME = env("LOGIN_RATE_PER_USERNAME", default="50/5m")
SIGNUP_RATE_PER_IP = env("SIGNUP_RATE_PER_IP", default="10/h")
UPLOAD_RATE_PER_USER = env("UPLOAD_RATE_PER_USER", default="60/10m")

# ---------------------------------------------------------------------- security
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts and styles only from our own static files: no inline script or style attribute, no
# eval (htmx trigger filters are not used for that reason), nothing from other origins. The
# stream module's fetch() is same-origin too. img data: is for the SVG icons of Swagger UI.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

# ----------------------------------------------------------------------- logging
# JSON lines in production (one object per line, with request_id, user_id and task_id), readable
# lines in development. The same config serves Django, gunicorn (project/gunicorn.conf.py) and
# Celery (project/celery.py), so web and worker lines can be joined on their ids.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default=default_log_format(debug=DEBUG))
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# ----------------------------------------------------------------------- metrics
# prometheus-client multiprocess mode: every web and worker process on a host writes its samples
# here and /metrics merges them. Must be set before prometheus_client is imported and emptied
# when the service starts (project/run.py does both for `make run`).
PROMETHEUS_MULTIPROC_DIR = Path(env("PROMETHEUS_MULTIPROC_DIR", default=str(BASE_DIR / "var" / "prometheus")))
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(PROMETHEUS_MULTIPROC_DIR))
PROMETHEUS_MULTIPROC_DIR.mkdir(parents=True, exist_ok=True)
# /metrics answers a direct request from these networks, or any request with the token.
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(n) for n in env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
]
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# A worker host without a web process serves its metrics itself (0: off).
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_ADDR = env("WORKER_METRICS_ADDR", default="127.0.0.1")
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=2.0)

# ----------------------------------------------------------------------- tailwind
TAILWIND_APP_NAME = "theme"
NPM_BIN_PATH = env("NPM_BIN_PATH", default="npm")
