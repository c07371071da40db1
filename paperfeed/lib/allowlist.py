"""Who may read an operator's endpoint (/metrics): addresses, networks and bearer tokens.

An entry is an IP address (`127.0.0.1`, `::1`), a network (`10.0.0.0/8`, `fd00::/8`) or
`token:SECRET`, which admits a request sent with `Authorization: Bearer SECRET`. No Django.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AllowList:
    networks: tuple[Network, ...] = ()
    tokens: tuple[str, ...] = ()

    def allows(self, *, address: str | None, authorization: str = "") -> bool:
        """Whether a caller from `address` (None when unknown) with this Authorization header
        value is admitted."""
        scheme, _, credential = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            given = credential.strip().encode()
            # Compare with every token in constant time, so timing tells nothing about a secret.
            if any(hmac.compare_digest(given, token.encode()) for token in self.tokens):
                return True
        ip = _address(address)
        return ip is not None and any(ip in network for network in self.networks)


def allowlist_parse(entries: Iterable[str]) -> AllowList:
    """Parse entries; a ValueError names the first one that is neither an address, a network
    nor `token:SECRET`."""
    networks: list[Network] = []
    tokens: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if entry.startswith("token:"):
            secret = entry.removeprefix("token:").strip()
            if not secret or any(c.isspace() for c in secret):
                raise ValueError(f"{entry!r} has no usable token after 'token:'")
            tokens.append(secret)
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address, a network (10.0.0.0/8) or token:SECRET"
            ) from None
    return AllowList(networks=tuple(networks), tokens=tuple(tokens))


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not value:
        return None
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; match it as IPv4.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
