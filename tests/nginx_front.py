"""Debian's nginx running the shipped deploy/nginx.conf in front of app servers on the loopback.

The shipped file is used as it is but for what only a real machine has: its ports become free
loopback ports, its certificate the test CA's (tests/certificates.py), its upstream servers the
app servers given, and its cache and static paths this checkout's. Each substitution must find
its line, so a change of the shipped file that the front would silently miss fails here.
nginx itself is installed by tests/browser-deps (the README's test command runs it).
"""
from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from tests.certificates import Certificates, make_certificates
from tests.live_app import file_tail

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx.conf"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"deploy/nginx.conf no longer has {old!r}: update tests/nginx_front.py")
    return text.replace(old, new)


def front_config(*, upstream_ports: list[int], http_port: int, https_port: int,
                 certificates: Certificates, cache_dir: Path) -> str:
    """The shipped server configuration with this machine's ports and paths."""
    text = SHIPPED.read_text()
    text = _replace(text, "/var/cache/nginx/campaign", str(cache_dir))
    text = _replace(text, "/var/log/nginx/campaign.access.log", str(cache_dir.parent / "campaign.access.log"))
    text = _replace(text, "    server 127.0.0.1:8000;\n",
                    "".join(f"    server {HOST}:{port};\n" for port in upstream_ports))
    text = _replace(text, "    listen 80;\n", f"    listen {HOST}:{http_port};\n")
    text = _replace(text, "    listen 443 ssl http2;\n", f"    listen {HOST}:{https_port} ssl http2;\n")
    text = _replace(text, "    listen [::]:80;\n", "")
    text = _replace(text, "    listen [::]:443 ssl http2;\n", "")
    text = _replace(text, "/etc/letsencrypt/live/petitions.example.org/fullchain.pem",
                    str(certificates.cert_file))
    text = _replace(text, "/etc/letsencrypt/live/petitions.example.org/privkey.pem",
                    str(certificates.key_file))
    return _replace(text, "/srv/campaign/campaign/static/", f"{ROOT / 'campaign' / 'static'}/")


def _main_config(directory: Path, server_file: Path) -> str:
    """What /etc/nginx/nginx.conf gives a site: one worker, logs and temporary files in directory."""
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    return f"""
user root;
worker_processes 1;
pid {directory / 'nginx.pid'};
error_log {directory / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {directory / 'access.log'};
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    keepalive_requests 100000;
    include {server_file};
}}
"""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class NginxFront:
    """nginx with the shipped configuration in front of upstream_ports, until stop()."""

    directory: Path
    upstream_ports: list[int]
    http_port: int = 0
    https_port: int = 0
    certificates: Certificates | None = None
    proc: subprocess.Popen | None = None
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    def start(self, timeout: float = 20) -> Self:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed: run tests/browser-deps (it installs Debian's nginx)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.certificates = make_certificates(self.directory)
        self.http_port = self.http_port or free_port()
        self.https_port = self.https_port or free_port()
        server_file = self.directory / "campaign.conf"
        server_file.write_text(front_config(
            upstream_ports=self.upstream_ports, http_port=self.http_port, https_port=self.https_port,
            certificates=self.certificates, cache_dir=self.directory / "cache"))
        main = self.directory / "nginx.conf"
        main.write_text(_main_config(self.directory, server_file))
        checked = subprocess.run([nginx, "-t", "-c", str(main)], check=False,
                                 capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the shipped configuration:\n{checked.stderr}")
        with open(self.directory / "stderr.log", "ab") as stderr:
            self.proc = subprocess.Popen([nginx, "-c", str(main), "-g", "daemon off;"],
                                         stdout=subprocess.DEVNULL, stderr=stderr)
        self._context = ssl.create_default_context(cafile=str(self.certificates.ca_file))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{file_tail(self.directory / 'stderr.log')}")
            try:
                self.get("/static/favicon.svg")
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not answer within {timeout} s:\n{self.error_log()}")

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None, https: bool = True, timeout: float = 30) -> Reply:
        if https:
            connection = http.client.HTTPSConnection(HOST, self.https_port, timeout=timeout,
                                                     context=self._context)
        else:
            connection = http.client.HTTPConnection(HOST, self.http_port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            headers_in = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, headers_in, response.read())
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})

    def access_log(self) -> str:
        """The shipped site's own access log (its campaign_private format)."""
        path = self.directory / "campaign.access.log"
        return path.read_text() if path.exists() else ""

    def error_log(self) -> str:
        return file_tail(self.directory / "error.log")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
