"""Rate limits on the requests an attacker would repeat: log-in attempts (per client address and
per username, so neither guessing one password from many addresses nor many passwords from one
address goes far), sign-ups per address, and uploads per user.

django-ratelimit counts in the `ratelimit` cache, which is Redis, so every web process shares
one count. Rates are settings (`LOGIN_RATE_PER_IP`..., "10/m", "30/10m") and a rate of "" turns
that limit off. When Redis cannot be reached the request is let through (and logged): an outage
of the counter must not lock every user out of logging in.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit import UNSAFE
from django_ratelimit.core import _get_ip, get_usage
from redis.exceptions import RedisError

from ops import metrics

logger = logging.getLogger(__name__)

# A limit: (group, key, name of the setting with the rate).
Limit = tuple[str, str | Callable[[str, HttpRequest], str], str]


def _username(group: str, request: HttpRequest) -> str:
    # The identity Django authenticates: it normalises usernames to NFKC, so "ｓｅｃｗｅｂ" (full
    # width) logs in as "secweb" and must spend the same budget.
    return unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()


def _username_at_address(group: str, request: HttpRequest) -> str:
    # The address as the "ip" key reads it (RATELIMIT_IP_META_KEY, IPv6 masked to its /64): the
    # library's own helper, private but pinned with it (requirements/base.txt).
    return f"{_username(group, request)}@{_get_ip(request)}"


# Per address; per username from one address (the tight one: one attacker cannot lock a user out
# of her own address by guessing from his); per username from everywhere (a higher ceiling).
LOGIN = [
    ("login-ip", "ip", "LOGIN_RATE_PER_IP"),
    ("login-username-ip", _username_at_address, "LOGIN_RATE_PER_USERNAME_IP"),
    ("login-username", _username, "LOGIN_RATE_PER_USERNAME"),
]
SIGNUP = [("signup-ip", "ip", "SIGNUP_RATE_PER_IP")]
UPLOAD = [("upload-user", "user_or_ip", "UPLOAD_RATE_PER_USER")]


class RateLimited(Exception):
    """Too many requests of one kind; `retry_after` is whole seconds until the window ends."""

    code = "rate_limited"

    def __init__(self, group: str, retry_after: int) -> None:
        super().__init__(group)
        self.group = group
        self.retry_after = max(retry_after, 1)

    @property
    def message(self) -> str:
        minutes = max(round(self.retry_after / 60), 1)
        if self.group.startswith("upload"):
            text = _("You are uploading too fast. Wait about %(minutes)s min and upload again.")
        elif self.group.startswith("signup"):
            text = _("Too many accounts were created from your network. Try again in about %(minutes)s min.")
        else:
            text = _("Too many log-in attempts. Wait about %(minutes)s min, then try again.")
        return text % {"minutes": minutes}


def rate_limit_check(request: HttpRequest, limits: list[Limit]) -> None:
    """Count this request against each limit (unsafe methods only); raise RateLimited if one is
    over. Every limit is counted, so hammering one username also spends the address's budget."""
    exceeded: RateLimited | None = None
    for group, key, setting in limits:
        rate = getattr(settings, setting)
        if not rate:
            continue
        try:
            usage = get_usage(request, group=group, key=key, rate=rate, method=UNSAFE, increment=True)
        except RedisError:
            logger.warning("rate limit %s not checked: Redis unavailable", group, exc_info=True)
            continue
        if usage and usage["should_limit"] and exceeded is None:
            exceeded = RateLimited(group, usage["time_left"])
    if exceeded is not None:
        metrics.RATE_LIMITED.labels(group=exceeded.group).inc()
        logger.warning("rate limited: %s", exceeded.group)
        raise exceeded


def clear_counts(cache: BaseCache) -> int:
    """Delete every rate-limit count (tests; an operator unlocking users): the number deleted."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    return client.delete(*keys) if keys else 0
