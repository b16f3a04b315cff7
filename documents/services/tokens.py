"""Actions on API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from documents.models import ApiToken


def api_token_create(*, user: AbstractBaseUser) -> str:
    """Create a bearer token and return it; only its hash is kept, so it is shown once."""
    token = f"otl_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(user=user, key_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:12])
    return token


# "Last used" is shown to the minute; writing it on every request made each stream open (thousands
# at once under gevent, bench/capacity.py) an UPDATE.
TOKEN_TOUCH_SECONDS = 60


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
