"""PHPCMS v9: `/api.php?op=count` hit counters filling `#hits`, 下一页 list links, articles
`index.php?m=content&c=index&a=show&…`."""

from __future__ import annotations

import re

from crawler.hits import CounterScript
from crawler.platforms.base import Platform


class PHPCMS(Platform):
    name = "phpcms"
    label = "PHPCMS v9"
    list_walk = "下一页 links"
    priority = 50
    markers = re.compile(r"/api\.php\?op=count|content=\"PHPCMS|[?&]m=content&c=index", re.I)
    notice_urls = re.compile(r"[?&]a=show\b")
    # api.php?op=count (api/count.php) adds one to `views` on every request.
    counters = (CounterScript(re.compile(r"/api\.php\?(?:.*&)?op=count", re.I), True),)
