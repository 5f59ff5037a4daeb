"""Who is on the other end of a request: the one function the throttle, the IP hash and the lockout use.

`X-Forwarded-For` is written by whoever sends the request, so it is only
believed as far as the proxies this deployment trusts have written it:

- by default (development, tests, a server with no proxy) nothing is trusted:
  the client is the socket's address, `REMOTE_ADDR`;
- `TRUSTED_PROXY_COUNT = n`: the app is reachable only through n proxies,
  each of which appends the address it received the request from. The client
  is the n-th entry from the right of `X-Forwarded-For`; anything further
  left was written by the client itself;
- `TRUSTED_PROXY_NETWORKS = [...]`: walk the chain from the socket address
  leftwards while the address is one of ours; the first one that is not is the
  client. Right for a load balancer whose address changes, and safe even when
  the app can also be reached directly.

An entry that is not an IP address ends the walk at the last trusted hop: a
client that writes garbage is counted under its proxy's address, with
everyone else who did, and gains nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A real chain has a handful of hops; a header of thousands is read no further than this.
MAX_FORWARDED_HOPS = 20


def client_address(request: HttpRequest) -> str:
    """The client's IP address as this deployment can vouch for it; "" if there is none."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    count, networks = trusted_proxies()
    if not count and not networks:
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [part.strip() for part in forwarded.split(",")[-MAX_FORWARDED_HOPS:]] if forwarded else []
    if networks:
        return str(_first_untrusted(remote, hops, networks))
    return str(_nth_from_right(remote, hops, count))


def parse_address(value: str) -> IPAddress | None:
    """An IP address from a header or the socket, IPv4-mapped IPv6 read as IPv4; None if it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51000
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _nth_from_right(remote: IPAddress, hops: list[str], count: int) -> IPAddress:
    """With `count` proxies in front, each appended one entry: the client's is `count` from the right."""
    chain = [*hops, str(remote)]
    trusted_hop = remote
    # chain[-1] is the last proxy (the socket); chain[-1 - k] was written by proxy k.
    for k in range(1, count + 1):
        if k >= len(chain):
            # Fewer entries than proxies: the request skipped one, so nothing further is vouched for.
            return trusted_hop
        address = parse_address(chain[-1 - k])
        if address is None:
            return trusted_hop
        trusted_hop = address
    return trusted_hop


def _first_untrusted(remote: IPAddress, hops: list[str], networks: tuple) -> IPAddress:
    address = remote
    for hop in reversed(hops):
        if not _in(address, networks):
            return address
        parsed = parse_address(hop)
        if parsed is None:
            return address
        address = parsed
    return address


def _in(address: IPAddress, networks: tuple) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def trusted_proxies() -> tuple[int, tuple]:
    """(TRUSTED_PROXY_COUNT, parsed TRUSTED_PROXY_NETWORKS); ImproperlyConfigured if they are wrong."""
    return _parse_settings(
        int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0),
        tuple(getattr(settings, "TRUSTED_PROXY_NETWORKS", ()) or ()),
    )


@lru_cache(maxsize=8)
def _parse_settings(count: int, networks: tuple[str, ...]) -> tuple[int, tuple]:
    if count < 0:
        raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")
    if count and networks:
        raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both.")
    try:
        parsed = tuple(ipaddress.ip_network(network.strip(), strict=False) for network in networks if network.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {error}") from error
    return count, parsed


def throttle_key(address: str) -> str:
    """What a rate limit counts: the address, or for IPv6 its /64 (one subscriber's whole allocation).

    A single IPv6 host can use any of 2**64 addresses of its own network; per
    address, a limit would be no limit.
    """
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address


def client_ip_hash(ip: str) -> str:
    """A keyed hash of the client IP (IP_HASH_SALT): enough to spot abuse, useless for finding a person."""
    if not ip:
        return ""
    return hmac.new(settings.IP_HASH_SALT.encode(), ip.encode(), hashlib.sha256).hexdigest()
