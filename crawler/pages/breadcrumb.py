"""The breadcrumb of a page (`当前位置：首页 > 巡察工作`): the links naming where it is filed."""

from __future__ import annotations

from crawler.pages.blocks import element_text
from crawler.pages.urls import link_target, web_url

# Containers named as breadcrumbs, tried first (class or id, lower-cased).
_NAMED_XPATH = (
    "//*[{}]".format(" or ".join(
        f"contains(translate(@{attr},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),"
        f"'{word}')"
        for attr in ("class", "id")
        for word in ("crumb", "position", "location", "weizhi", "dqwz", "mbx")))
)
# Labels that open a breadcrumb line.
LABELS = ("当前位置", "您的位置", "所在位置", "您现在的位置", "现在的位置")
_LABELLED_XPATH = "//body//*[text()[{}]]".format(
    " or ".join(f"contains(., '{label}')" for label in LABELS))
# More links than this make a menu, not a breadcrumb.
_MAX_LINKS = 8


def breadcrumb_links(response) -> list[tuple[str, str]]:
    """(text, absolute URL) of the breadcrumb's links in order; empty without a breadcrumb."""
    for container in _containers(response):
        targets = ((element_text(a.root).strip(), web_url(response.url, link_target(a.root)))
                   for a in container.xpath(".//a[@href]"))
        links = [(text, url) for text, url in targets if url]
        if 0 < len(links) <= _MAX_LINKS:
            return links
    return []


def _containers(response):
    yield from response.xpath(_NAMED_XPATH)
    for labelled in response.xpath(_LABELLED_XPATH):
        # The label's element, else the row around it (the label in a cell of its own).
        yield labelled
        yield from labelled.xpath("..")
        yield from labelled.xpath("../..")
