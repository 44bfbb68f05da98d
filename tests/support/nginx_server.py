"""Debian's nginx running the shipped deploy/nginx.conf, for tests; only its own process is
ever signalled.

The site file is used as written, with the paths its header names replaced: ports (loopback
only), certificate (a fresh self-signed one), upstream, static root, error pages and log. Each
replacement must find its text, so a change to the shipped file cannot silently leave a test
running another configuration. A small main configuration around it keeps everything nginx
writes (pid, temporary bodies, logs) in the server's own directory.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.redis_server import free_port

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)
    if binary is None:
        raise RuntimeError(
            "nginx is not installed; `make test` installs it (apt-get install nginx-light) "
            "when run as root, otherwise install it yourself"
        )
    return binary


def replace_once(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"deploy/nginx.conf no longer contains {old!r}")
    return text.replace(old, new)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


class NginxServer:
    def __init__(
        self,
        upstream_port: int,
        static_root: Path,
        *,
        https_port: int | None = None,
        overrides: dict[str, str] | None = None,
    ) -> None:
        self.binary = nginx_binary()
        self.dir = Path(tempfile.mkdtemp(prefix="housler-nginx-"))
        self.http_port = free_port()
        self.https_port = https_port or free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.certificate = self.dir / "cert.pem"  # written by site(); clients verify against it
        self.upstream_port = upstream_port
        self.static_root = static_root
        self.overrides = overrides or {}
        self.access_log = self.dir / "access.log"
        self.output = self.dir / "nginx.out"
        self.process: subprocess.Popen | None = None

    def site(self) -> str:
        """deploy/nginx.conf with the documented paths pointed at this test's own."""
        cert, key = self_signed_certificate(self.dir)
        text = SITE.read_text()
        for old, new in {
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;\n": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "listen [::]:443 ssl http2;\n": "",
            "/etc/letsencrypt/live/housler.example.ru/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/housler.example.ru/privkey.pem": str(key),
            "server 127.0.0.1:8000": f"server 127.0.0.1:{self.upstream_port}",
            "/srv/housler/staticfiles/": f"{self.static_root}/",
            "/srv/housler/deploy/errors/": f"{REPO / 'deploy' / 'errors'}/",
            "/var/log/nginx/housler.access.log": str(self.access_log),
            **self.overrides,
        }.items():
            text = replace_once(text, old, new)
        return text

    def main_config(self) -> str:
        """Everything Debian's /etc/nginx/nginx.conf would give, in this server's directory."""
        (self.dir / "housler.conf").write_text(self.site())
        temp = "\n".join(
            f"    {kind}_temp_path {self.dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # Workers run as nginx's compiled-in `nobody` under root, who could not read this
        # private directory: keep them root for the test (the package's www-data in production).
        user = "user root;\n" if os.geteuid() == 0 else ""
        return (
            f"{user}daemon off;\nworker_processes 1;\npid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.output} warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n"
            f"    default_type application/octet-stream;\n{temp}\n"
            f"    include {self.dir / 'housler.conf'};\n}}\n"
        )

    def start(self, timeout: float = 10) -> "NginxServer":
        config = self.dir / "nginx.conf"
        config.write_text(self.main_config())
        command = [self.binary, "-p", str(self.dir), "-e", str(self.output), "-c", str(config)]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True, timeout=30)
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.output.read_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1),
            ):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen:\n{self.output.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)
