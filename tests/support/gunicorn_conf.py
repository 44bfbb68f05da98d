"""The shipped deploy/gunicorn.conf.py loaded as a module, so a test calls its hooks and reads
its settings in this process, under the environment the test sets."""

import importlib.util
from pathlib import Path
from types import ModuleType

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load_gunicorn_conf() -> ModuleType:
    """A fresh copy on every call: the file reads the environment when it runs."""
    spec = importlib.util.spec_from_file_location("housler_gunicorn_conf", GUNICORN_CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
