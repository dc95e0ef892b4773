"""Where a request comes from, as far as the platform needs to know it.

The client's address is read from the socket, or, behind trusted reverse proxies, from the header
they set (`CSSR_CLIENT_IP_HEADER`, counted `CSSR_TRUSTED_PROXY_COUNT` proxies from the right), never
from a value the client controls. What is kept of it is truncated (`network_of`): a /24 for IPv4 and a
/48 for IPv6 is enough to throttle guessing and to read a security log, and says little about where a
person at risk connects from.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address of the client that sent `request` (a string; "" when none can be trusted)."""
    count = settings.CSSR_TRUSTED_PROXY_COUNT
    if count <= 0:
        return _valid(request.META.get("REMOTE_ADDR", ""))
    header = request.META.get(settings.CSSR_CLIENT_IP_HEADER, "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    # Each trusted proxy appends the address it received the request from; the client may have sent
    # anything before those, so only the count-th value from the right is trusted.
    if len(hops) < count:
        return _valid(request.META.get("REMOTE_ADDR", ""))
    return _valid(hops[-count])


def _address(value):
    """`value` as an address, or None. An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is
    its IPv4 address, and an IPv6 zone ("%eth0") names a local interface, not the client: both are
    dropped, so that one client always has one spelling."""
    try:
        ip = ipaddress.ip_address(str(value or "").strip())
    except ValueError:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.scope_id:
            return ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


def _valid(value):
    ip = _address(value)
    return "" if ip is None else str(ip)


def network_of(address):
    """The truncated network of an address: "203.0.113.0/24", "2001:db8:1::/48"; "" if not an address."""
    ip = _address(address)
    if ip is None:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
