"""In-place registry edits (`check-sites --update`) and the check helpers, without a crawl."""

from __future__ import annotations

import shutil

import pytest
from scrapy.http import HtmlResponse

from crawler.pages.breadcrumb import breadcrumb_links
from crawler.registry import DEFAULT_REGISTRY_PATH, RegistryError, load_registry
from crawler.registry_edit import edit_sites, update_registry_file
from crawler.sitecheck import MOVED, is_home_page, redirect_verdict

REGISTRY = """# header comment
[[site]]
id = "alpha"          # first
name = "甲县纪委监委"
platform = "generic"  # a guess
last_checked = "never"
columns = [
  { name = "巡察工作", url = "http://a.example/xcgz/" },  # [not a table]
]

[site.politeness]
download_delay = 3.0

[[site]]
id = 'beta'
name = "乙县纪委监委"
platform = "trs"
"""


def test_values_change_and_everything_else_stays():
    edited = edit_sites(REGISTRY, {"alpha": {"last_checked": "2026-01-02", "platform": "vsb"}})
    assert edited == REGISTRY.replace('platform = "generic"  # a guess',
                                      'platform = "vsb"  # a guess').replace(
        'last_checked = "never"', 'last_checked = "2026-01-02"')


def test_a_missing_key_is_added_after_the_id():
    edited = edit_sites(REGISTRY, {"beta": {"last_checked": "2026-01-02"}})
    assert "id = 'beta'\nlast_checked = \"2026-01-02\"\nname = \"乙县纪委监委\"" in edited
    assert edited.replace('last_checked = "2026-01-02"\n', "", 1) == REGISTRY


def test_unknown_id_is_refused():
    with pytest.raises(RegistryError, match="no \\[\\[site\\]\\] entry with id gamma"):
        edit_sites(REGISTRY, {"gamma": {"last_checked": "2026-01-02"}})


def test_an_edit_that_would_change_other_values_is_refused():
    # A line inside a multi-line string looks like the key: editing it would change the note.
    text = '[[site]]\nid = "a"\nnote = """\nplatform = "x"\n"""\nplatform = "generic"\n'
    with pytest.raises(RegistryError, match="change more than the requested values"):
        edit_sites(text, {"a": {"platform": "trs"}})


def test_file_update_keeps_crlf_line_endings(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_bytes(REGISTRY.replace("\n", "\r\n").encode("utf-8"))
    update_registry_file(path, {"alpha": {"last_checked": "2026-01-02"}})
    data = path.read_bytes()
    assert b'last_checked = "2026-01-02"\r\n' in data and b"\n" not in data.replace(b"\r\n", b"")


def test_bundled_registry_copy_takes_an_update(tmp_path):
    path = tmp_path / "sites.toml"
    shutil.copy(DEFAULT_REGISTRY_PATH, path)
    before = path.read_text(encoding="utf-8")
    real = [site for site in load_registry(path).values() if not site.fixture]
    chosen = {real[0].id: {"last_checked": "2026-01-02", "platform": "hanweb"},
              real[-1].id: {"last_checked": "2026-01-03"}}
    update_registry_file(path, chosen)
    after = path.read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(before.splitlines())
    changed = [line for old, line in zip(before.splitlines(), after.splitlines(), strict=True)
               if old != line]
    assert len(changed) == 3 - (real[0].platform == "hanweb")
    sites = load_registry(path)
    assert sites[real[0].id].platform == "hanweb"
    assert sites[real[-1].id].last_checked == "2026-01-03"


@pytest.mark.parametrize(("url", "base", "home"), [
    ("http://a.example/", None, True),
    ("http://a.example/index.html", None, True),
    ("http://a.example/Default.aspx", None, True),
    ("http://a.example/?page=2", None, False),
    ("http://a.example/xcgz/", None, False),
    ("http://a.example/jjjc/index.shtml", "http://a.example/jjjc/", True),
    ("http://a.example/jjjc/xcgz/", "http://a.example/jjjc/", False),
])
def test_home_page(url, base, home):
    assert is_home_page(url, base) is home


def test_redirects_inside_a_site_are_not_moves():
    assert redirect_verdict("http://a.example/xcgz/", "http://a.example/xcgz/index.html",
                            None) is None
    assert redirect_verdict("http://a.example/xcgz/", "https://a.example/xcgz/", None) is None
    assert redirect_verdict("http://a.example/xcgz/", "http://www.a.example/xcgz/", None) is None
    assert redirect_verdict("http://a.example/xcgz/", "http://b.example/xcgz/",
                            None).check_class == MOVED
    assert redirect_verdict("http://127.0.0.1:81/x/", "http://127.0.0.1:82/x/",
                            None).check_class == MOVED


def page(body: str) -> HtmlResponse:
    return HtmlResponse("http://a.example/xcgz/t20230101_1.html", body=body.encode("utf-8"),
                        encoding="utf-8")


def test_breadcrumb_by_class():
    response = page('<div class="nav"><a href="/">首页</a><a href="/a/">机构</a></div>'
                    '<div class="BreadCrumb"><a href="/">首页</a> &gt; '
                    '<a href="../xcgz/">巡察工作</a></div>')
    assert breadcrumb_links(response) == [("首页", "http://a.example/"),
                                          ("巡察工作", "http://a.example/xcgz/")]


def test_breadcrumb_by_label_in_a_cell_of_its_own():
    response = page("<table><tr><td>您的当前位置</td><td><a href='/'>首页</a> &gt; "
                    "<a href='/xcgz/'>巡察整改</a></td></tr></table>")
    assert breadcrumb_links(response)[-1] == ("巡察整改", "http://a.example/xcgz/")


def test_no_breadcrumb():
    assert breadcrumb_links(page('<div class="menu"><a href="/">首页</a></div>')) == []
