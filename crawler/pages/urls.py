"""Link targets as crawlable URLs: absolute http(s) or nothing."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


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
