"""Actions on API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import ApiToken


class TokenRejected(Exception):
    """A token the user may not create (too many already); `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def api_token_create(*, user: AbstractBaseUser, name: str = "") -> str:
    """Create a bearer token and return it; only its hash is kept, so it is shown once.

    Refused (TokenRejected) past MAX_API_TOKENS_PER_USER: every token is a way in to revoke."""
    with transaction.atomic():
        # The user's row, locked: two tabs creating tokens at once cannot both pass the count.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if ApiToken.objects.filter(user=user).count() >= settings.MAX_API_TOKENS_PER_USER:
            raise TokenRejected(
                _(
                    "You have %(count)d API tokens, the most an account may hold. "
                    "Revoke one you no longer use first."
                )
                % {"count": settings.MAX_API_TOKENS_PER_USER}
            )
        token = f"otl_{secrets.token_urlsafe(32)}"
        ApiToken.objects.create(
            user=user, name=name.strip(), key_hash=ApiToken.hash_key(token), prefix=token[:12]
        )
    return token


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Delete one of the user's tokens (404 for anyone else's); clients using it get 401 at once."""
    token = get_object_or_404(ApiToken, user=user, pk=token_id)
    token.delete()
    return token


# "Last used" is shown to the minute; writing it on every request made each stream open (thousands
# at once under gevent, bench/capacity.py) an UPDATE.
TOKEN_TOUCH_SECONDS = 60


def api_token_touch(*, token: ApiToken) -> None:
    if token.last_used_at is None or token.last_used_at <= api_token_touched_since():
        api_token_mark_used(token_id=token.pk)


def api_token_touched_since() -> datetime:
    """A token last used before this is written again when it is used."""
    return timezone.now() - timedelta(seconds=TOKEN_TOUCH_SECONDS)


def api_token_mark_used(*, token_id: int) -> None:
    ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
