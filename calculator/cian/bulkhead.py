"""Per-worker bulkheads: at most N requests of a worker wait on Cian, or read uploads, at once.

A gunicorn gthread worker serves `GUNICORN_THREADS` requests side by side. When Cian is slow,
every search holds its thread for up to the search deadline; without a cap a few searches would
take every thread and the worker's other pages (`/`, `/health`) would queue behind them. Reading
saved pages is the same hazard in CPU and memory (an 8 MB page takes seconds and a few hundred MB
to parse): one client posting 50 uploads at once would hold every thread and grow the worker by
gigabytes. A request that finds its bulkhead full is answered at once (`Busy`, `UploadsBusy`)
instead of waiting for a slot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from calculator.conf import conf

from .errors import Busy, CianError, UploadsBusy

_lock = threading.Lock()
_slots: dict[str, tuple[int, threading.BoundedSemaphore]] = {}


def _semaphore(setting: str) -> threading.BoundedSemaphore:
    """This process's semaphore sized by `setting`, rebuilt only when it changes (tests)."""
    size = max(1, int(getattr(conf, setting)))
    with _lock:
        if setting not in _slots or _slots[setting][0] != size:
            _slots[setting] = (size, threading.BoundedSemaphore(size))
        return _slots[setting][1]


@contextmanager
def _slot(setting: str, busy: CianError) -> Iterator[None]:
    semaphore = _semaphore(setting)
    if not semaphore.acquire(blocking=False):
        raise busy
    try:
        yield
    finally:
        semaphore.release()


def cian_slot() -> AbstractContextManager[None]:
    """Hold one of this worker's Cian slots for the block; raise Busy when none is free."""
    return _slot("CIAN_CONCURRENCY", Busy("every Cian slot of this worker is taken"))


def upload_slot() -> AbstractContextManager[None]:
    """Hold one of this worker's upload slots while files are read; UploadsBusy when none is."""
    return _slot("HOUSLER_UPLOAD_CONCURRENCY", UploadsBusy("every upload slot is taken"))
