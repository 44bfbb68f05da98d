"""The per-worker bulkhead: at most `CIAN_CONCURRENCY` requests of a worker wait on Cian at once.

A gunicorn gthread worker serves `GUNICORN_THREADS` requests side by side. When Cian is slow,
every search holds its thread for up to the search deadline; without a cap a few searches would
take every thread and the worker's other pages (`/`, `/health`) would queue behind them. A request
that finds the bulkhead full is answered at once with `Busy` instead of waiting for a slot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from .errors import Busy

_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _semaphore() -> threading.BoundedSemaphore:
    """This process's semaphore, rebuilt only when the setting changes (tests)."""
    global _slots
    size = max(1, int(settings.CIAN_CONCURRENCY))
    with _lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@contextmanager
def cian_slot() -> Iterator[None]:
    """Hold one of this worker's Cian slots for the block; raise Busy when none is free."""
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        raise Busy("every Cian slot of this worker is taken")
    try:
        yield
    finally:
        semaphore.release()
