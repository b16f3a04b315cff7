"""How many streams one user and one task may hold open: leases in (real, test) Redis."""

from __future__ import annotations

import pytest

from documents.relay import slots
from ops.redis_pool import redis_client


@pytest.fixture(autouse=True)
def _clean(settings):  # noqa: ANN001, ANN202
    keys = ["outliner:sse:user:990001", "outliner:sse:user:990002", "outliner:sse:task:990101",
            "outliner:sse:task:990102"]  # fmt: skip
    redis_client().delete(*keys)
    settings.SSE_MAX_STREAMS_PER_USER, settings.SSE_MAX_STREAMS_PER_TASK = 3, 2
    yield
    redis_client().delete(*keys)


def test_a_user_holds_at_most_the_cap_and_a_released_lease_makes_room():
    leases = [slots.acquire(user_id=990001, task_id=990101 + n % 2) for n in range(3)]

    with pytest.raises(slots.TooManyStreams) as refused:
        slots.acquire(user_id=990001, task_id=990102)
    assert (refused.value.scope, refused.value.limit) == ("user", 3)
    assert slots.acquire(user_id=990002, task_id=990102) is not None  # someone else is not held back
    leases[0].release()
    assert slots.acquire(user_id=990001, task_id=990101) is not None


def test_a_task_holds_at_most_its_cap_and_a_refusal_takes_no_lease():
    slots.acquire(user_id=990001, task_id=990101)
    slots.acquire(user_id=990001, task_id=990101)

    with pytest.raises(slots.TooManyStreams) as refused:
        slots.acquire(user_id=990001, task_id=990101)

    assert (refused.value.scope, refused.value.limit) == ("task", 2)
    # The refused stream holds nothing: the user has two leases, not three.
    assert redis_client().zcard("outliner:sse:user:990001") == 2


def test_a_lease_whose_process_died_lapses_after_the_longest_stream(settings):
    settings.SSE_MAX_DURATION_SECONDS, settings.SSE_HEARTBEAT_SECONDS = -10, 0  # leases lapse at once
    for _ in range(3):
        slots.acquire(user_id=990001, task_id=990101 + _ % 2)  # never released: the process was killed

    settings.SSE_MAX_DURATION_SECONDS = 600
    assert slots.acquire(user_id=990001, task_id=990101) is not None


def test_no_caps_means_no_lease_and_a_held_body_gives_its_lease_back_when_closed_unread(settings):
    settings.SSE_MAX_STREAMS_PER_USER = settings.SSE_MAX_STREAMS_PER_TASK = 0
    assert slots.acquire(user_id=990001, task_id=990101) is None

    settings.SSE_MAX_STREAMS_PER_USER = 1
    lease = slots.acquire(user_id=990001, task_id=990101)
    body = slots.Held(iter(["retry: 2000\n\n"]), lease)
    body.close()  # closed before its first write: a generator's finally would never have run
    body.close()  # closing twice gives back once
    assert slots.acquire(user_id=990001, task_id=990101) is not None
