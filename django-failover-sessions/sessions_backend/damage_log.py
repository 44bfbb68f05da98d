"""One log line per damaged session and process, however often its owner comes back.

A session whose value is unreadable (bad signature or JSON, a Redis hash, non-UTF-8 bytes, a
birth time in the future) is absent for its owner; logging it on every request would let one
cookie flood the log. The memory of what was logged is a bounded LRU of short keys.
"""

import logging
import threading
from collections import OrderedDict

from .redaction import short_key

logger = logging.getLogger("sessions_backend")
REMEMBERED_KEYS = 1024

_logged: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()


def report_damaged(key: str | None, problem: str) -> None:
    """Log "Session abc123… <problem>; treated as absent" unless this key was logged recently."""
    shown = short_key(key)
    with _lock:
        if shown in _logged:
            _logged.move_to_end(shown)
            return
        _logged[shown] = None
        if len(_logged) > REMEMBERED_KEYS:
            _logged.popitem(last=False)
    logger.warning("Session %s %s; treated as absent", shown, problem)
