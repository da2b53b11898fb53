"""TLS certificates for test servers, made by the openssl command: a CA and a server's."""
from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Certificates:
    """PEM files: a test CA, and a certificate it signed for localhost and 127.0.0.1."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(directory: Path) -> Certificates:
    """A CA and a server certificate signed by it, made by the openssl command in directory.

    A CA of its own, as a private relay would have, so that a client trusts the server only
    when told to trust that CA (SMTP_CA_FILE), and checks the name (localhost) as well.
    """
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
    commands = [
        ["req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Campaign test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", "-x509", *key, "-CA", "ca.pem", "-CAkey", "ca.key", "-keyout", "server.key",
         "-out", "server.pem", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"],
    ]
    for command in commands:
        subprocess.run(["openssl", *command], cwd=directory, check=True, capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    return Certificates(directory / "ca.pem", directory / "server.pem", directory / "server.key")
