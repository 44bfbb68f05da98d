"""gunicorn's Prometheus metrics directory (deploy/gunicorn.conf.py, README "Security"): one that
others can write stops the start; a private one is made and used."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def prepare(monkeypatch, directory: Path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    runpy.run_path(str(CONF))["prepare_metrics_dir"]()


@pytest.mark.parametrize("kind", ["world-writable", "group-writable", "symlink"])
def test_a_metrics_directory_others_can_write_stops_the_start(monkeypatch, tmp_path, kind) -> None:
    """Used as is, a planted `counter_<pid>.db` symlink would have workers overwrite its target,
    and the start would delete `*.db` files of others."""
    real = tmp_path / "metrics"
    real.mkdir(mode=0o700)
    given = real
    if kind == "symlink":
        given = tmp_path / "link"
        given.symlink_to(real)
    else:
        real.chmod(0o777 if kind == "world-writable" else 0o770)
    victim = real / "counter_1.db"
    victim.write_bytes(b"operator's file")
    with pytest.raises(SystemExit):
        prepare(monkeypatch, given)
    assert victim.read_bytes() == b"operator's file"


def test_a_private_metrics_directory_is_made_and_used(monkeypatch, tmp_path) -> None:
    directory = tmp_path / "run" / "metrics"
    prepare(monkeypatch, directory)
    assert directory.is_dir() and directory.stat().st_mode & 0o777 == 0o700
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
