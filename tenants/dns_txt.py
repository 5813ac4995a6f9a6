"""TXT records from DNS, for proving an organisation controls the domain it adds."""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings


class LookupFailedError(Exception):
    """DNS did not answer (timeout, no server): try again later, nothing is known."""


def txt_records(name: str) -> list[str]:
    """The TXT strings at name (each record's parts joined); empty when there are none."""
    resolver = dns.resolver.Resolver(configure=not settings.DNS_NAMESERVERS)
    if settings.DNS_NAMESERVERS:
        resolver.nameservers = [address for address, _ in settings.DNS_NAMESERVERS]
        resolver.nameserver_ports = dict(settings.DNS_NAMESERVERS)
    resolver.lifetime = 5.0
    try:
        answer = resolver.resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        raise LookupFailedError(str(error)) from error
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
