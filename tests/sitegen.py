"""A fixture site built in a test's own folder: `count` notices on lists of `per_page`.

The generic platform reads it (dated `<li>` rows, 下一页 links, an article container); tests
edit its files between crawls to imitate a site that changes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

from fixtures.server import FixtureServer

LIST_ROW = ('<li><a href="./n{n:03d}.html" title="{title}">{title}</a>'
            '<span>{date}</span></li>')
NOTICE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/list/index.html">巡察整改</a></div>
<div class="article"><h1>{title}</h1>
<div class="article-info">来源：县纪委 日期：{date} 点击量：{hits}</div>
<div class="article-content"><p>{body}</p>
<p>整改工作按计划推进，群众反映的问题已逐项落实。</p></div>
</div><div class="foot">主办：县纪委监委</div></body></html>
"""


def title_of(n: int) -> str:
    return f"第{n}号关于县委巡察组巡察反馈意见整改情况的通报"


def default_date(n: int) -> date:
    """Notice n's publication date unless a site says otherwise (2023, spread over the year)."""
    return date(2023, 1 + n % 12, 1 + n % 28)


def notice_path(n: int) -> str:
    return f"/list/n{n:03d}.html"


def list_page_name(page: int) -> str:
    return "index.html" if page == 0 else f"index_{page}.html"


def build_site(folder: Path, count: int = 12, per_page: int = 4, site_toml: str = "",
               hits: int = 100, dated: Callable[[int], date] = default_date,
               left_out: Collection[int] = ()) -> Path:
    """Write the site under `folder/<name>` (site.toml and root/); returns the site folder.

    `dated(n)` is notice n's publication date, on its list row and its page; the notices
    `left_out` are neither listed nor written (a page written before stays)."""
    (folder / "list").mkdir(parents=True, exist_ok=True)
    (folder.parent / "site.toml").write_text(
        'encoding = "utf-8"\ncharset_header = "utf-8"\n' + site_toml, encoding="utf-8")
    listed = [n for n in range(count, 0, -1) if n not in left_out]
    pages = [listed[i:i + per_page] for i in range(0, len(listed), per_page)]
    for page, numbers in enumerate(pages):
        rows = "\n".join(LIST_ROW.format(n=n, title=title_of(n), date=dated(n).isoformat())
                         for n in numbers)
        more = (f'<a href="{list_page_name(page + 1)}">下一页</a>'
                if page + 1 < len(pages) else "")
        (folder / "list" / list_page_name(page)).write_text(
            f'<html><head><meta charset="utf-8"><title>巡察整改</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><ul class="list">{rows}</ul>'
            f'<div class="page">{more}</div></body></html>', encoding="utf-8")
        for n in numbers:
            write_notice(folder, n, hits=hits, dated=dated)
    return folder.parent


def write_notice(root: Path, n: int, body: str | None = None, hits: int = 100,
                 dated: Callable[[int], date] = default_date) -> None:
    text = NOTICE.format(title=title_of(n), date=dated(n).isoformat(), hits=hits,
                         body=body or f"根据县委统一部署，第{n}巡察组对被巡察单位开展了常规巡察。")
    (root / "list" / f"n{n:03d}.html").write_text(text, encoding="utf-8")


def serve(tmp_path: Path, name: str = "gen", **kwargs) -> tuple[FixtureServer, Path]:
    """Build a site under `tmp_path/sites/<name>/` and start a server for it (stop it after)."""
    root = tmp_path / "sites" / name / "root"
    build_site(root, **kwargs)
    server = FixtureServer([name], sites_dir=tmp_path / "sites")
    server.start()
    return server, root


def serve_sites(tmp_path: Path, sites: dict[str, dict]) -> FixtureServer:
    """Build several sites (name -> build_site arguments) and serve them (stop it after)."""
    for name, kwargs in sites.items():
        build_site(tmp_path / "sites" / name / "root", **kwargs)
    server = FixtureServer(list(sites), sites_dir=tmp_path / "sites")
    server.start()
    return server


def write_registry(path: Path, server: FixtureServer, extra: str = "") -> Path:
    """A registry of the served sites, each with one column at /list/index.html; they are
    stand-ins (`fixture = true`), so they need no public source page or county."""
    entries = [f'[[site]]\nid = "{name}"\nname = "{name}县纪委监委"\nbase_url = "{url}"\n'
               f'platform = "generic"\nfixture = true\n{extra}'
               f'columns = [{{ name = "巡察整改", url = "{url}list/index.html" }}]\n'
               for name, url in server.base_urls.items()]
    path.write_text("\n".join(entries), encoding="utf-8")
    return path
