"""What the storage tells whoever listens: the Prometheus series (`metrics.py`) or a project's own.

Both are sent with `sender=SessionStorage`:

- `session_operation(storage, op, result, count)`: an outcome the storage counted, the same
  increments as its `stats()` (`op` load/create/save/delete/write_back/primary, `result`
  hit/miss/ok/fallback/unavailable/damaged/conflict/tombstone/error).
- `storage_changed(storage)`: where sessions go may have changed: a storage was built, or its
  circuit opened or closed.
"""

from django.dispatch import Signal

session_operation = Signal(use_caching=True)
storage_changed = Signal(use_caching=True)
