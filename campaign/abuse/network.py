"""Signers' IP addresses, kept only as salted hashes of the address and of its network."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask_babel import gettext as _

# The network a flood usually comes from: a /24 of IPv4, a /48 of IPv6.
NET_PREFIX = {4: 24, 6: 48}


def _digest(secret_key: str, text: str) -> str:
    return hmac.new(f"ip:{secret_key}".encode(), text.encode(), hashlib.sha256).hexdigest()


def ip_hashes(secret_key: str, address: str | None) -> tuple[str, str]:
    """(hash of the address, hash of its network); empty strings for no or a malformed address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "", ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    network = ipaddress.ip_network(f"{ip}/{NET_PREFIX[ip.version]}", strict=False)
    return _digest(secret_key, str(ip)), _digest(secret_key, str(network))


def range_hashes(secret_key: str, cidr: str) -> tuple[str, list[str]]:
    """Hashes to match a range: ("ip", [..]) for single addresses, ("net", [..]) for networks.

    Only addresses and networks of the stored size (or larger ones, up to 256 of them) can be
    matched, since only those are kept.
    """
    network = ipaddress.ip_network(cidr.strip(), strict=False)
    prefix = NET_PREFIX[network.version]
    if network.prefixlen == network.max_prefixlen:
        return "ip", [_digest(secret_key, str(network.network_address))]
    if network.prefixlen > prefix:
        raise ValueError(_("ranges narrower than /%(prefix)s cannot be matched; use a single address or /%(prefix)s",
                           prefix=prefix))
    if prefix - network.prefixlen > 8:
        raise ValueError(_("ranges wider than /%(prefix)s are too broad", prefix=prefix - 8))
    return "net", [_digest(secret_key, str(net)) for net in network.subnets(new_prefix=prefix)]


def client_group(address: str | None) -> str:
    """Whom per-address limits count against: the address, or its /64 for IPv6.

    One IPv6 customer is usually given a whole /64: each address of it is theirs.
    """
    address = address or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)
