"""Scrapy's cookies middleware, reading the public suffix list from the copy bundled with
tldextract instead of downloading it on the first cookie a site sets."""

from __future__ import annotations

from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract

# Scrapy asks this to tell a public suffix (`gov.cn`) from a registrable domain; with no URLs
# to fetch from, tldextract uses its bundled snapshot and never touches the network.
cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class OfflineCookiesMiddleware(cookies.CookiesMiddleware):
    """`CookiesMiddleware` with the offline public suffix list (see the module docstring)."""
