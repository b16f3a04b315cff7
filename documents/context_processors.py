"""Template context every page and partial gets."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from documents import selectors


def features(request: HttpRequest) -> dict:
    # Lazy: only a page that shows a task card looks the flag up.
    return {"streaming_enabled": SimpleLazyObject(lambda: selectors.streaming_enabled(request=request))}
