"""Where webhooks may go: public HTTPS addresses only, and the connection to the checked one."""
from __future__ import annotations

import socket

import pytest

from campaign.webhooks import addresses, connections
from tests.certificates import make_certificates
from tests.webhooks.receiver import Receiver

REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.8.9.10/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.5/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://[::]/hook",
    "https://localhost/hook",
    "https://LOCALHOST./hook",
    "https://api.localhost/hook",
]


@pytest.fixture
def ctx_app(app):
    with app.app_context():
        yield app


@pytest.mark.parametrize("url", REFUSED)
def test_private_local_and_reserved_addresses_are_refused(ctx_app, url):
    with pytest.raises(addresses.AddressRefused) as refused:
        addresses.check(url)
    message = str(refused.value)
    assert "public address" in message
    assert ("private, local or reserved" in message) or ("this server itself" in message)


@pytest.mark.parametrize("url", ["https://127.0.0.1:8443/hook", "https://localhost/hook",
                                 "https://[::1]/hook"])
def test_only_the_test_setting_allows_loopback(ctx_app, url):
    target = addresses.check(url, allow_private=True)
    assert target.ip in {"127.0.0.1", "::1"}


def test_a_public_address_is_kept_with_its_parts(ctx_app):
    target = addresses.check("https://93.184.215.14:8443/in/hook?token=abc")
    assert target == addresses.Target(scheme="https", host="93.184.215.14", port=8443,
                                      path="/in/hook?token=abc", ip="93.184.215.14")


def _resolving(monkeypatch, answers: dict[str, list[str]]) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)


def test_a_name_is_refused_when_any_of_its_addresses_is_private(ctx_app, monkeypatch):
    _resolving(monkeypatch, {"crm.example": ["93.184.215.14"],
                             "rebind.example": ["127.0.0.1"],
                             "mixed.example": ["93.184.215.14", "10.0.0.7"],
                             "v6.example": ["::ffff:192.168.0.1"]})
    assert addresses.check("https://crm.example/hook").ip == "93.184.215.14"
    for name, ip in [("rebind.example", "127.0.0.1"), ("mixed.example", "10.0.0.7"),
                     ("v6.example", "::ffff:c0a8:1")]:
        with pytest.raises(addresses.AddressRefused, match=f"{name} leads to {ip}"):
            addresses.check(f"https://{name}/hook")
    with pytest.raises(addresses.AddressRefused, match="cannot be found"):
        addresses.check("https://nowhere.example/hook")


def test_localhost_is_refused_by_name_and_resolved_only_when_allowed(ctx_app):
    for name in ("localhost", "localhost.", "Localhost"):
        with pytest.raises(addresses.AddressRefused, match="is this server itself"):
            addresses.resolve(name, 443)
    # The system's resolver, as a receiver in the tests reaches it.
    assert addresses.resolve("localhost", 443, allow_private=True) in {"127.0.0.1", "::1"}


@pytest.mark.parametrize(("url", "message"), [
    ("http://93.184.215.14/hook", "must start with https://"),
    ("ftp://93.184.215.14/hook", "must start with https://"),
    ("93.184.215.14/hook", "must start with https://"),
    ("https://user:pass@93.184.215.14/hook", "Leave the user name and password out"),
    ("https:///hook", "not a web address"),
    ("https://93.184.215.14:99999/hook", "not a web address"),
    ("https://93.184.215.14/a b", "no spaces or control characters"),
    ("", "Enter the address"),
    ("https://93.184.215.14/" + "a" * 2000, "at most 2000 characters"),
])
def test_the_shape_of_an_address_is_checked_first(ctx_app, url, message):
    with pytest.raises(addresses.AddressRefused, match=message):
        addresses.check(url)


def test_http_only_with_the_test_setting(ctx_app):
    target = addresses.check("http://93.184.215.14/hook", allow_http=True)
    assert (target.scheme, target.port) == ("http", 80)


def test_the_connection_goes_to_the_checked_address_with_the_urls_host(ctx_app):
    """DNS rebinding: whatever the name resolves to later, the checked address is reached."""
    with Receiver() as receiver:
        target = addresses.Target(scheme="http", host="crm.example", port=receiver.port,
                                  path="/hook", ip="127.0.0.1")
        answer = connections.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)
    assert answer.ok and answer.status == 200
    [got] = receiver.received
    assert got.headers["Host"] == f"crm.example:{receiver.port}"
    assert got.headers["User-Agent"] == connections.USER_AGENT


def test_a_refused_connection_is_a_short_reason(ctx_app, closed_port):
    target = addresses.Target(scheme="http", host="crm.example",
                              port=closed_port.getsockname()[1], path="/", ip="127.0.0.1")
    answer = connections.post(target, b"{}", {}, timeout=2)
    assert not answer.ok
    assert answer.error == "connection refused"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


def test_https_checks_the_certificate_against_the_urls_name_not_the_address(ctx_app,
                                                                          certificates):
    """The connection goes to the checked address, and TLS (SNI, the certificate's name)
    speaks for the URL's host: a certificate for another name is refused."""
    trusted = connections.tls_context(str(certificates.ca_file))
    with Receiver(tls=certificates.server_context()) as receiver:
        right = addresses.Target(scheme="https", host="localhost", port=receiver.port,
                                 path="/hook", ip="127.0.0.1")
        assert connections.post(right, b"{}", {}, timeout=5, context=trusted).ok
        wrong = addresses.Target(scheme="https", host="crm.example", port=receiver.port,
                                 path="/hook", ip="127.0.0.1")
        refused = connections.post(wrong, b"{}", {}, timeout=5, context=trusted)
        untrusted = connections.post(right, b"{}", {}, timeout=5)  # the system's CAs only
    assert not refused.ok and refused.error.startswith("TLS certificate refused")
    assert "crm.example" in refused.error
    assert not untrusted.ok and untrusted.error.startswith("TLS certificate refused")
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"
