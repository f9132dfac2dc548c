"""DedeCMS: `list_{typeid}_{page}.html` lists with 下一页 links, articles
`/a/{column}/{YYYY}/{MMDD}/{id}.html` (further pages `{id}_2.html` …), `/plus/count.php`
counters."""

from __future__ import annotations

import re

from crawler.hits import CounterScript
from crawler.platforms.base import Platform


class DedeCMS(Platform):
    name = "dedecms"
    label = "DedeCMS 织梦"
    list_walk = "`list_{typeid}_{page}.html` pages, 下一页 links"
    priority = 40
    markers = re.compile(r"/plus/count\.php|/list_\d+_\d+\.html|content=\"DedeCMS", re.I)
    notice_urls = re.compile(r"/\d{4}/\d{4}/\d+\.html$")
    # count.php adds one on every request (`click=click+1`); `view=yes` only prints the count.
    counters = (CounterScript(re.compile(r"/plus/count\.php\?", re.I), True, {"view": "yes"}),)
