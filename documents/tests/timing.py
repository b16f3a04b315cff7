"""Growth ratios for the linear-time tests: how much longer a call takes on a larger input.

A ratio between two sizes measured side by side, not an absolute time: machines are noisy, but
linear work on four times the input takes about four times as long, quadratic work sixteen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_seconds(function: Callable[[Any], object], argument: Any, runs: int = 3) -> float:  # noqa: ANN401
    """The best of `runs` calls (a busy machine only ever makes a run slower)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function(argument)
        best = min(best, time.perf_counter() - started)
    return best


def growth_ratio(
    function: Callable[[Any], object],
    small: Any,  # noqa: ANN401
    large: Any,  # noqa: ANN401
    floor: float = 1e-3,
    *,
    under: float = 8.0,
    attempts: int = 3,
) -> float:
    """seconds(large) / seconds(small); `floor` keeps a run too quick to time from inflating it.

    Measured again (up to `attempts` times) while the ratio is not `under` the bound: another
    process hogging the CPU for a moment passes, quadratic work stays quadratic every time.
    """
    ratio = float("inf")
    for _ in range(attempts):
        ratio = min(ratio, best_seconds(function, large) / max(best_seconds(function, small), floor))
        if ratio < under:
            break
    return ratio
