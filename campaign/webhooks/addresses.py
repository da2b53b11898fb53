"""Where a webhook may be sent: HTTPS on a public address, checked again right before each send.

A hook's URL is checked when it is registered (a clear message for the form) and again at
every delivery, since what a name resolves to can change. The delivery then connects to the
very address that was checked (see connections), so a name that resolves to a public address
for the check and to 127.0.0.1 a moment later (DNS rebinding) reaches nothing private.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

URL_MAX = 2000
# Shared address space (RFC 6598, carrier-grade NAT): not public, yet not is_private either.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# Names that are the machine itself whatever a resolver says (RFC 6761).
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class AddressRefused(ValueError):
    """A URL a webhook may not be sent to; the message says why, for the organizer."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (ip, port) and what to ask for (host, path)."""

    scheme: str
    host: str  # the name as written, for the Host header and the certificate
    port: int
    path: str  # with its query string
    ip: str  # the address that was checked: the one to connect to


def shape(url: str, *, allow_http: bool = False) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL a hook may have; AddressRefused otherwise.

    No resolving here: the form checks the shape first, then where the name leads.
    """
    url = url.strip()
    if not url:
        raise AddressRefused(_l("Enter the address of your endpoint."))
    if len(url) > URL_MAX:
        raise AddressRefused(_l("An address has at most %(max)s characters.", max=URL_MAX))
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise AddressRefused(_l("An address has no spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_l("This is not a web address.")) from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise AddressRefused(_l("The address must start with https:// (deliveries are encrypted)."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_l("Leave the user name and password out of the address: "
                                "deliveries are signed with the hook's secret instead."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise AddressRefused(_l("This is not a web address."))
    try:
        host = host.encode("idna").decode("ascii") if not _is_ip(host) else host
    except UnicodeError:
        raise AddressRefused(_l("This is not a valid host name.")) from None
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def check(url: str, *, allow_http: bool = False, allow_private: bool = False) -> Target:
    """The URL checked and resolved: AddressRefused for a bad shape or a private address."""
    scheme, host, port, path = shape(url, allow_http=allow_http)
    ip = resolve(host, port, allow_private=allow_private)
    return Target(scheme=scheme, host=host, port=port, path=path, ip=ip)


def resolve(host: str, port: int, *, allow_private: bool = False) -> str:
    """The address to connect to for host: every address it resolves to must be public."""
    name = host.lower().rstrip(".")
    local = name in LOCAL_NAMES or name.endswith(".localhost")
    if local and not allow_private:
        raise AddressRefused(_l("%(host)s is this server itself: use a public address.",
                                host=host))
    if _is_ip(host):
        found = [ipaddress.ip_address(host)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise AddressRefused(_l("%(host)s cannot be found (no such name in DNS).",
                                    host=host)) from None
        found = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not found:
        raise AddressRefused(_l("%(host)s cannot be found (no such name in DNS).", host=host))
    if not allow_private:
        for ip in found:
            if is_forbidden(ip) and _is_ip(host):
                raise AddressRefused(_l(
                    "%(ip)s is a private, local or reserved address: webhooks go to public "
                    "addresses only.", ip=host))
            if is_forbidden(ip):
                raise AddressRefused(_l(
                    "%(host)s leads to %(ip)s, a private, local or reserved address: "
                    "webhooks go to public addresses only.", host=host, ip=str(ip)))
    return str(found[0])


def is_forbidden(ip: IPAddress) -> bool:
    """Whether an address is anything but a public unicast one (IPv4 inside IPv6 included)."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None and is_forbidden(embedded):
        return True
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or (ip.version == 4 and ip in CGNAT)
        or (ip.version == 6 and ip.is_site_local)
        or not ip.is_global
    )


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (::ffff:a.b.c.d, 6to4, Teredo, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
