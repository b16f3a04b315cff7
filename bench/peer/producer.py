"""What a benchmark process calls to publish to the peer, as Outliner's Celery worker publishes
to Redis: another process than the web server's.

    from bench.peer.producer import publish
    publish("task-1", "some text")

Call ``setup()`` (or let publish do it) with DJANGO_SETTINGS_MODULE unset or set to the peer's,
and REDIS_URL pointing at the peer's Redis. A process that has Outliner's Django set up cannot
publish to the peer: django-eventstream reads its settings from the one Django configured.
"""

from __future__ import annotations

import os

EVENT_TYPE = "chunk"
_ready = False


def setup() -> None:
    global _ready
    if not _ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
        import django

        django.setup()
        _ready = True


def publish(channel: str, text: str) -> None:
    """One chunk event with data ``{"text": text}``, the way django-eventstream intends: send_event
    stores it (INCR the channel's counter, SETEX the event: two round trips) and PUBLISHes it on
    `events_channel` (a third); every peer web process hears it and wakes that channel's listeners.
    send_event also hands the event to django_grip for a GRIP proxy; with none configured that
    publishes nowhere (pubcontrol has no clients), at the cost of one more SSE encoding."""
    setup()
    from django_eventstream import send_event

    send_event(channel, EVENT_TYPE, {"text": text})


GO_KEY = "bench:relay:go"  # set by bench/relay.py once every client is connected


def stamped(channels: list[str], tokens: int, interval: float) -> None:
    """What bench/relay.py's producer does for Outliner, for the peer: on each channel, a thread
    publishes `@<unix time>|` every `interval` seconds, `tokens` times."""
    import threading
    import time

    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    while not client.exists(GO_KEY):
        time.sleep(0.01)

    def run(channel: str) -> None:
        for _ in range(tokens):
            time.sleep(interval)
            publish(channel, f"@{time.time():.6f}|")

    setup()
    threads = [threading.Thread(target=run, args=(channel,)) for channel in channels]
    for thread in threads:
        thread.start()
        time.sleep(interval / len(threads))  # spread the streams' tokens over the interval
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    import sys

    stamped(sys.argv[1].split(","), int(sys.argv[2]), float(sys.argv[3]))
