"""Waiting for what a test can observe instead of for a fixed time.

A fixed sleep guesses how long another thread or process needs: too short on a busy machine (the
test fails), too long everywhere else (the suite crawls). `wait_until` asks again until the
condition holds and fails the test, saying what it waited for, once the deadline has passed.
"""

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], object], what: str, *, timeout: float = 10, every: float = 0.05
) -> None:
    """Return once `condition()` is true; after `timeout` s, an AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {what}")
        time.sleep(every)
