"""Log context and formats: every line says which request, user and outline task it belongs to.

The ids live in a context variable. The web side binds them per request
(ops.middleware), the API's bearer auth and the services add the user and task; Celery
carries them from the publishing request into the worker in a message header
(project.celery), so one outline can be followed from the click to the final save across
processes: ``jq 'select(.task_id == 42)'`` over the web and worker logs.

``LOG_FORMAT=json`` (the default with DEBUG off) writes one JSON object per line;
``LOG_FORMAT=console`` (the default in development) writes readable lines with the ids in brackets.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

CONTEXT_FIELDS = ("request_id", "user_id", "task_id", "celery_task_id")

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("outliner_log", default=_EMPTY)


def bind(**values: Any) -> None:
    """Add ids to the current context (None removes one)."""
    merged = {**_context.get(), **values}
    _context.set({k: v for k, v in merged.items() if v is not None})


def clear(**values: Any) -> None:
    """Start a fresh context (a new request or Celery task), optionally with some ids."""
    _context.set({k: v for k, v in values.items() if v is not None})


def current() -> dict[str, Any]:
    return dict(_context.get())


@contextlib.contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind ids for the duration of a block (a loop over several tasks, say)."""
    token = _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def in_context(target: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a thread target so the thread logs with the ids of the code that started it
    (new threads start with an empty context)."""
    context = contextvars.copy_context()
    return lambda *args, **kwargs: context.run(target, *args, **kwargs)


class ContextFilter(logging.Filter):
    """Puts the bound ids (or None) on every record, plus the host and service name."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.host = socket.gethostname()
        self.service = os.environ.get("OUTLINER_SERVICE", "")

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for field in CONTEXT_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field))
        record.host = self.host
        record.service = self.service
        return True


class ConsoleFormatter(logging.Formatter):
    """Readable development lines: the usual prefix, then the ids that are set, in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(
            f"{field.removesuffix('_id')}={value}"
            for field in CONTEXT_FIELDS
            if (value := getattr(record, field, None)) is not None
        )
        if not ids:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the first line
        return f"{head} [{ids}]{sep}{tail}"


def default_log_format(*, debug: bool) -> str:
    return "console" if debug else "json"


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING dict for Django, gunicorn and Celery alike."""
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",  # ISO 8601, UTC, milliseconds
            "rename_fields": {"levelname": "level", "name": "logger"},
            # Every line carries these keys, null when not known, so a query never misses one.
            "reserved_attrs": [*_RESERVED, "color_message"],
            "json_ensure_ascii": False,  # Chinese titles stay readable
        },
        "console": {"()": ConsoleFormatter},
    }
    if fmt not in formatters:
        raise ValueError(f"LOG_FORMAT must be 'json' or 'console', not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gunicorn and celery attach their own handlers otherwise; route them through ours.
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "django.server": {"level": "WARNING"},
        },
    }


# The standard LogRecord attributes, minus the ones we want in the JSON (python-json-logger
# writes every attribute that is not reserved, so `extra=` fields appear too).
_RESERVED = [
    "args",
    "created",
    "exc_info",
    "exc_text",
    "filename",
    "funcName",
    "levelno",
    "lineno",
    "module",
    "msecs",
    "msg",
    "pathname",
    "processName",
    "relativeCreated",
    "stack_info",
    "thread",
    "threadName",
    "taskName",
]
