"""Whether a host the service binds to is this machine's own: what local-only routes ask."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """Whether binding to `host` listens on this machine only: 127.0.0.0/8, ::1, localhost.

    Any other name counts as reachable from elsewhere: it is not resolved here, and what it
    resolves to is not ours to vouch for.
    """
    name = host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    if name == "localhost":  # loopback by definition (RFC 6761)
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
