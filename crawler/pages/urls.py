"""Link targets as crawlable URLs: absolute http(s) or nothing."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_DIGITS_RE = re.compile(r"\d+")


def link_target(element, attribute: str = "href") -> str:
    """An element's attribute, stripped ('' when absent). Reads the one attribute only: a page
    with a control character where another attribute's name goes stays readable."""
    return (element.get(attribute) or "").strip()


def web_url(base_url: str, href: str) -> str | None:
    """The absolute http(s) URL `href` points to from `base_url`; None for fragments,
    javascript:, mailto:, data:, ftp: … and malformed URLs (`http://[::1`)."""
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base_url, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def url_shape(url: str) -> str:
    """A URL with its digit runs as `0` and its query as sorted names: the notices of one
    column share a shape (`/xxgk/0/t0_0.html`, `/show.php?id`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    names = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    path = _DIGITS_RE.sub("0", parts.path)
    return f"{host}{path}?{'&'.join(names)}" if names else f"{host}{path}"


def site_host(url: str) -> str:
    """The host a site is known by: lower case, without port and a leading `www.`."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on one site (`www.` and scheme changes stay on it)."""
    a, b = site_host(url), site_host(other)
    port_a, port_b = _port(url), _port(other)
    return a == b and (port_a == port_b or {port_a, port_b} <= {80, 443})


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)
