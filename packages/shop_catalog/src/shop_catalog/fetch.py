"""Download a price list from a supplier's URL without becoming an SSRF tool.

Only http and https; the host is resolved once, every address it resolves
to must be public (not private, loopback, link-local, reserved, multicast)
unless ``SHOP_CATALOG["URL_ALLOW_PRIVATE"]``, and the connection is then
made to that checked address (so a DNS answer cannot change between the
check and the connect). Redirects are followed at most 3 times, each one
checked the same way. The body is read up to ``max_bytes`` and the whole
download must finish within ``timeout`` seconds.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL is refused or the download failed; the message says why."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str, int, str, list[str]]:
    """Validate ``url``; return (scheme, host, port, path?query, checked addresses).

    Raises ``FetchError`` for another scheme, a missing host, or an address
    that is not public (unless the setting allows it).
    """
    from .conf import app_settings

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(_("Only http and https URLs are accepted."))
    host = parts.hostname
    if not host:
        raise FetchError(_("The URL has no host."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError(_("The URL has an invalid port.")) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_("The host %(host)s cannot be resolved.") % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(_("The host %(host)s cannot be resolved.") % {"host": host})
    if not app_settings.URL_ALLOW_PRIVATE and not all(_is_public(a) for a in addresses):
        raise FetchError(
            _("The host %(host)s resolves to a private or local address.") % {"host": host}
        )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, target, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_url(url: str, *, max_bytes: int, timeout: float) -> bytes:
    """The default ``URL_FETCHER``: the body of ``url`` (see the module doc)."""
    deadline = time.monotonic() + timeout
    for _redirect in range(MAX_REDIRECTS + 1):
        scheme, host, port, target, addresses = check_url(url)
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        conn = cls(host, port, addresses[0], timeout)
        try:
            conn.request(
                "GET", target, headers={"User-Agent": "django-shopapps-catalog", "Accept": "*/*"}
            )
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("A redirect without a Location."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(_("The server answered %(status)s.") % {"status": response.status})
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(_("The price list is larger than the limit."))
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(_("The download took too long."))
                chunk = response.read(CHUNK)
                if not chunk:
                    return bytes(body)
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FetchError(_("The price list is larger than the limit."))
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(_("The download failed: %(error)s") % {"error": exc}) from None
        finally:
            conn.close()
    raise FetchError(_("Too many redirects."))
