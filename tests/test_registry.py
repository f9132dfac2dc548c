"""The site registry: data in TOML, validated on load, movable to fixture hosts."""

import json
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.registry import (
    RegistryError,
    counts_summary,
    counts_table,
    load_registry,
    registry_problems,
)
from crawler.spiderloader import RegistrySpiderLoader
from tests.conftest import FIXTURE_REGISTRY, run_crawl


def test_fixture_registry_loads():
    sites = load_registry(FIXTURE_REGISTRY)
    assert {"jingxian", "longting"} <= set(sites)
    jingxian = sites["jingxian"]
    assert jingxian.region["adcode"] == "341823"
    assert [c.name for c in jingxian.columns] == ["巡察工作"]


def test_base_url_override_moves_columns():
    sites = load_registry(FIXTURE_REGISTRY, base_urls={"jingxian": "http://127.0.0.1:8001/"})
    [column] = sites["jingxian"].columns
    assert column.url == "http://127.0.0.1:8001/a/xcgz/list_12_1.html"
    assert sites["longting"].columns[0].url.startswith("http://longting.invalid/")


def write(tmp_path, text):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = '[[site]]\nid = "a"\nname = "A"\nbase_url = "http://a.invalid/"\nplatform = "{p}"\n'
# What makes ENTRY a good entry: a source, a county, a notice page.
GOOD = ('source = "http://a.invalid/x.html"\nlast_checked = "never"\n'
        'region = { province = "安徽省", county = "泾县", adcode = "341823" }\n'
        'sample_notice_urls = ["http://a.invalid/x.html"]\n')


def test_a_good_entry_loads(tmp_path):
    [site] = load_registry(write(tmp_path, ENTRY.format(p="trs") + GOOD)).values()
    assert (site.id, site.region["county"], site.sample_notice_urls) == (
        "a", "泾县", ("http://a.invalid/x.html",))


@pytest.mark.parametrize(("line", "message"), [
    ('browser = "no"', "field 'browser' must be true or false, not 'no'"),
    ('fixture = 1', "field 'fixture' must be true or false, not 1"),
    ('note = 3', "field 'note' must be a string, not 3"),
    ('politeness = { download_delay = "3" }',
     "field 'politeness.download_delay' must be a number of seconds >= 0, not '3'"),
    ('politeness = { download_delay = true }',
     "field 'politeness.download_delay' must be a number of seconds >= 0, not True"),
    ('politeness = { concurrency = 0 }',
     "field 'politeness.concurrency' must be a whole number >= 1, not 0"),
    ('politeness = { concurrency = 1.5 }',
     "field 'politeness.concurrency' must be a whole number >= 1, not 1.5"),
    ('politeness = { obey_robots = "no" }',
     "field 'politeness.obey_robots' must be true or false, not 'no'"),
    ('columns = ["http://a.invalid/xcgz/"]',
     "field 'columns' must be a list of tables {name, url}, not ['http://a.invalid/xcgz/']"),
    ('columns = [{ name = "巡察" }]', "field 'columns': a column has no 'url'"),
    ('sample_notice_urls = "http://a.invalid/x.html"',
     "field 'sample_notice_urls' must be a list of URL strings, not 'http://a.invalid/x.html'"),
])
def test_a_field_of_the_wrong_type_is_refused_on_load(tmp_path, line, message):
    text = ENTRY.format(p="trs") + "\n".join(
        kept for kept in GOOD.splitlines() if kept.split(" ")[0] != line.split(" ")[0])
    with pytest.raises(RegistryError) as caught:
        load_registry(write(tmp_path, f"{text}\n{line}\n"))
    assert str(caught.value) == f"site #1 (a): {message}"


@pytest.mark.parametrize(("region", "message"), [
    ('{ province = "安徽省", county = "宣州区", adcode = "341823" }',
     "a: field 'region': adcode 341823 is 泾县, not 宣州区"),
    ('{ province = "安徽省", county = "泾县" }', "a: field 'region': no adcode"),
    ('{ adcode = "341800" }', "a: field 'region': adcode 341800 is not a county-level division"),
])
def test_a_region_that_is_not_its_county_is_refused_on_load(tmp_path, region, message):
    good_region = 'region = { province = "安徽省", county = "泾县", adcode = "341823" }'
    text = ENTRY.format(p="trs") + GOOD.replace(good_region, f"region = {region}")
    with pytest.raises(RegistryError, match=f": {message}$"):
        load_registry(write(tmp_path, text))


def test_two_entries_may_not_share_a_host_and_column(tmp_path):
    column = 'columns = [{{ name = "巡察工作", url = "{url}" }}]\n'
    first = ENTRY.format(p="trs") + GOOD + column.format(url="http://a.invalid/xcgz/index.html")
    second = first.replace('id = "a"', 'id = "b"').replace(
        "http://a.invalid/xcgz/index.html", "https://a.invalid/xcgz/")
    other_column = second.replace("/xcgz/", "/tzgg/").replace('id = "b"', 'id = "c"')
    with pytest.raises(RegistryError, match="b: field 'columns': host a.invalid and column "
                                            "/xcgz/ are already entry 'a'$"):
        load_registry(write(tmp_path, first + second))
    assert set(load_registry(write(tmp_path, first + other_column))) == {"a", "c"}
    other_port = second.replace("a.invalid/", "a.invalid:8080/")
    assert set(load_registry(write(tmp_path, first + other_port))) == {"a", "b"}
    no_columns = (ENTRY.format(p="trs") + GOOD) * 1 + (ENTRY.format(p="trs") + GOOD).replace(
        'id = "a"', 'id = "b"')
    with pytest.raises(RegistryError, match="host a.invalid and column \\(no column\\)"):
        load_registry(write(tmp_path, no_columns))


def test_docs_hold_the_registry_counts():
    """docs/registry.md shows the counts of the bundled registry (`python -m crawler.registry`)."""
    docs = (Path(__file__).parent.parent / "docs" / "registry.md").read_text(encoding="utf-8")
    assert counts_table(load_registry()) in docs


def test_readme_holds_the_registry_counts():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert counts_summary(load_registry()) in readme


def test_unknown_platform_is_named(tmp_path):
    with pytest.raises(RegistryError, match="site #1 \\(a\\): unknown platform 'wordpress'"):
        load_registry(write(tmp_path, ENTRY.format(p="wordpress")))


def test_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(RegistryError, match="duplicate id 'a'"):
        load_registry(write(tmp_path, ENTRY.format(p="trs") * 2))


def test_missing_field_is_named(tmp_path):
    with pytest.raises(RegistryError, match="field 'base_url' is missing"):
        load_registry(write(tmp_path, '[[site]]\nid = "a"\nname = "A"\nplatform = "trs"\n'))


def test_override_of_unknown_site_is_refused():
    with pytest.raises(RegistryError, match="unknown site 'nowhere'"):
        load_registry(base_urls={"nowhere": "http://127.0.0.1:1/"})


def test_bundled_registries_have_no_problems():
    assert registry_problems(load_registry()) == []
    assert registry_problems(load_registry(FIXTURE_REGISTRY)) == []


def test_production_registry_holds_real_sites_only():
    """Placeholders (`fixture = true`, `.invalid` hosts) live in the fixture registry."""
    sites = load_registry().values()
    assert [site.id for site in sites if site.fixture or site.placeholder] == []
    fixtures = load_registry(FIXTURE_REGISTRY).values()
    assert all(site.fixture and site.placeholder for site in fixtures)


def test_bundled_registry_covers_real_sites_widely():
    real = list(load_registry().values())
    assert len(real) >= 300
    assert len({site.region["province"] for site in real}) == 31
    assert all(site.source.startswith(("http://", "https://")) for site in real)
    assert {site.last_checked for site in real} == {"never"}


def test_problems_are_named(tmp_path):
    path = write(tmp_path, """
[[site]]
id = "Bad Id"
name = "X"
base_url = "ftp://x.invalid/"
platform = "trs"
source = "a friend"
last_checked = "yesterday"
region = { province = "河南省", adcode = "341823" }
sample_notice_urls = ["http://x.invalid/t20220101_1.html"]
""")
    problems = registry_problems(load_registry(path, check=False))
    assert problems == [
        "Bad Id: field 'id': 'Bad Id' is not an ASCII slug",
        "Bad Id: field 'base_url': 'ftp://x.invalid/' is not an http(s) URL",
        "Bad Id: field 'source': 'a friend' is not the URL of a public page",
        "Bad Id: field 'last_checked': 'yesterday' is neither 'never' nor a date",
        "Bad Id: field 'region': adcode 341823 is 安徽省, not 河南省",
    ]
    with pytest.raises(RegistryError, match=r"^\S+sites.toml: Bad Id: field 'id': 'Bad Id' is not "
                                            r"an ASCII slug \(and 4 more problems\)$"):
        load_registry(path)


def test_custom_platform_needs_an_api_table(tmp_path):
    path = write(tmp_path, ENTRY.format(p="custom") + GOOD)
    assert registry_problems(load_registry(path, check=False)) == [
        "a: field 'api': platform 'custom' (a JSON API site) without an 'api' table; "
        "an HTML site of no known platform is 'generic'"]


def test_site_id_may_not_hide_a_project_spider(tmp_path):
    path = write(tmp_path, ENTRY.replace('"a"', '"notices"').format(p="trs") + GOOD)
    with pytest.raises(RegistryError, match="site id 'notices' is the name of a project spider"):
        settings = get_project_settings()
        settings.set("NOTICES_REGISTRY_PATH", str(path))
        RegistrySpiderLoader(settings)


def test_sites_all_leaves_placeholders_out(fixture_server, tmp_path):
    """`sites=all` of the fixture registry with one entry moved to the fixture server: only
    that one is crawled; the entries still at `.invalid` hosts are left out, with a log line."""
    moved = {"jingxian": fixture_server.base_urls["jingxian"]}
    result = run_crawl(tmp_path, "notices", "sites=all", settings={
        "NOTICES_REGISTRY_PATH": str(FIXTURE_REGISTRY), "NOTICES_BASE_URLS": json.dumps(moved)})
    assert result.returncode == 0
    assert {record["site_id"] for record in result.records} == {"jingxian"}
    left_out = len(load_registry(FIXTURE_REGISTRY)) - 1
    assert f"sites=all: {left_out} placeholder entries (.invalid hosts) left out" in result.log
    assert " ERROR: " not in result.log
