"""The site registry: data in TOML, validated on load, movable to fixture hosts."""

import json

import pytest
from scrapy.utils.project import get_project_settings

from crawler.registry import RegistryError, load_registry, registry_problems
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
    assert len(real) >= 100
    assert len({site.region["province"] for site in real}) >= 10
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
    problems = registry_problems(load_registry(path))
    assert problems == [
        "Bad Id: id 'Bad Id' is not an ASCII slug",
        "Bad Id: bad URL 'ftp://x.invalid/'",
        "Bad Id: source 'a friend' is not the URL of a public page",
        "Bad Id: last_checked 'yesterday' is neither 'never' nor a date",
        "Bad Id: adcode 341823 is in 安徽省, not 河南省",
    ]


def test_custom_platform_needs_an_api_table(tmp_path):
    problems = registry_problems(load_registry(write(tmp_path, ENTRY.format(p="custom") + (
        'source = "http://a.invalid/x.html"\nregion = { adcode = "341823" }\n'
        'sample_notice_urls = ["http://a.invalid/x.html"]\n'))))
    assert problems == ["a: platform 'custom' (a JSON API site) without an 'api' table; "
                        "an HTML site of no known platform is 'generic'"]


def test_site_id_may_not_hide_a_project_spider(tmp_path):
    path = write(tmp_path, ENTRY.replace('"a"', '"notices"').format(p="trs"))
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
