"""Where webhooks may go: public HTTPS addresses only, unless the deploy allows private ones."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL_LENGTH = 500
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(Exception):
    """The endpoint's host is, or resolved to, an address webhooks must never reach."""


def private_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)


def address_allowed(address: str) -> bool:
    """Whether a numeric address is one the public internet routes to a single host."""
    if private_allowed():
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return _public(ip)


def _public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address inside IPv6 (mapped, 6to4, Teredo) reaches that IPv4 host: the
        # mapped form is refused outright, the tunnelled ones judged by what they carry.
        if ip.ipv4_mapped is not None:
            return False
        for embedded in (ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if embedded is not None and not _public(embedded):
                return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to now (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def host_check(host: str, port: int) -> None:
    """Raises BlockedAddressError when the host is, or resolves to, a refused address."""
    if private_allowed():
        return
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise BlockedAddressError
    try:
        literal: IPAddress | None = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not _public(literal):
            raise BlockedAddressError
        return
    if not all(address_allowed(address) for address in resolve(name, port)):
        raise BlockedAddressError


def url_problem(url: str) -> str:
    """Why this address cannot be an endpoint, in words for the admin; "" when it can.

    A name that does not resolve yet is accepted: it is checked again before each send.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        return f"Use an address of at most {MAX_URL_LENGTH} characters."
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "An address cannot contain spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Enter a full address, such as https://example.org/hooks/townsquare."
    schemes = {"https", "http"} if private_allowed() else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        if parts.scheme == "http":
            return "Use an https:// address: deliveries are only sent encrypted."
        return "Enter a full address starting with https://, such as https://example.org/hooks."
    if parts.username is not None or parts.password is not None:
        return "Leave the user name and password out of the address: check the signature instead."
    if parts.fragment:
        return "Leave out the part after #: it is never sent."
    try:
        host_check(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except BlockedAddressError:
        return (
            "This address is on a private, local or reserved network. Webhooks can only be "
            "sent to addresses on the public internet."
        )
    return ""
