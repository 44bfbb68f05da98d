"""Deprecated alias of `sessions_backend.failover`, so code written for 1.0 keeps importing.

The router between Redis and the fallback lives in `failover.py`; this module only re-exports its
public names and warns once, at import, naming the module to use. It goes away in 2.0. Patch
`sessions_backend.failover.circuit_clock`, not a name here: this module holds no state.
"""

import warnings

from .failover import SessionStorage, build_storage, get_storage, reset_storage, storage_stats

__all__ = ["SessionStorage", "build_storage", "get_storage", "reset_storage", "storage_stats"]

warnings.warn(
    "sessions_backend.storage is deprecated and will be removed in django-failover-sessions 2.0; "
    "import from sessions_backend.failover instead.",
    DeprecationWarning,
    stacklevel=2,  # the module that imports this one, past the import machinery
)
