"""project/gunicorn.conf.py's hooks, run as gunicorn runs them (in a process of their own here: a
frozen garbage collector must not leak into the test run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.no_database

SCRIPT = """
import gc, runpy
config = runpy.run_path("project/gunicorn.conf.py")
import project.wsgi  # what a worker has loaded when gunicorn calls post_worker_init
before = gc.get_freeze_count()
config["post_worker_init"](None)
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_a_worker_that_has_loaded_the_app_moves_it_out_of_the_garbage_collectors_reach():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=True
    )
    before, frozen, still_tracked = map(int, run.stdout.split())

    assert before == 0
    # Django and the app's modules (tens of thousands of objects) are frozen; next to nothing is
    # left for a full collection to walk.
    assert frozen > 20_000 and still_tracked < frozen / 10
