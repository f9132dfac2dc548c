"""帝国CMS (EmpireCMS): `/e/public/ViewClick/` counters, `index_N.html` lists with 下一页,
dynamic articles `/e/action/ShowInfo.php?classid=…&id=…`."""

from __future__ import annotations

import re

from crawler.hits import CounterScript
from crawler.platforms.base import Platform


class EmpireCMS(Platform):
    name = "empirecms"
    label = "帝国CMS EmpireCMS"
    list_walk = "`index_N.html` pages, 下一页 links"
    priority = 60
    markers = re.compile(r"/e/public/ViewClick|EmpireCMS|/e/action/ListInfo", re.I)
    notice_urls = re.compile(r"ShowInfo\.php")
    # ViewClick adds one only with `addclick=1`, and prints the stored count + 1 either way.
    counters = (CounterScript(re.compile(r"/e/public/ViewClick/", re.I), False,
                              drop_query=("addclick",)),)
