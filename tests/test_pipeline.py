"""The shared pipeline stages, alone: normalization, parsing wiring and schema validation."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines.normalize import clean_title, normalize_body, normalize_record
from pipelines.parse import parse_record
from pipelines.validate import ValidatePipeline, record_errors

RAW = {
    "url": "http://site.example/a/1.html", "site_id": "site", "site_name": "泾县纪委监委",
    "title": " 关于巡察整改情况的通报_泾县纪委监委 ", "source": "  ", "published_at": "2022-02-25",
    "body_text": "  第一段\u3000文字 \n\n\xa0\n第二段", "region": {"adcode": "341823"},
}


def test_normalized_record_is_valid():
    record = parse_record(normalize_record(RAW))
    assert record_errors(record) == []
    assert record["title"] == "关于巡察整改情况的通报"
    assert record["source"] is None
    assert record["body_text"] == "第一段 文字\n第二段"
    assert record["region"] == {"province": None, "city": None, "county": None,
                                "adcode": "341823"}
    assert record["schema_version"] == 2 and record["attachments"] == []


@pytest.mark.parametrize(("title", "clean"), [
    ("关于巡察整改情况的通报 - 泾县纪委监委", "关于巡察整改情况的通报"),
    ("关于巡察整改情况的通报-龙亭区人民政府", "关于巡察整改情况的通报"),
    ("关于巡察整改情况的通报|某某网", "关于巡察整改情况的通报"),
    ("2021-2022年巡察工作计划", "2021-2022年巡察工作计划"),
    ("关于2021-2022年纪委工作", "关于2021-2022年纪委工作"),
])
def test_title_suffix(title, clean):
    assert clean_title(title) == clean


def test_body_paragraphs():
    assert normalize_body("a  b\n\n c\u3000\n") == "a b\nc"


def test_invalid_record_is_dropped_and_counted():
    record = parse_record(normalize_record({**RAW, "title": "", "published_at": "2022-02-25"}))
    record["hit_count"] = -3
    crawler = get_crawler()
    with pytest.raises(DropItem, match=r"invalid record http://site.example/a/1.html: "
                                       r"hit_count: .*; title: "):
        ValidatePipeline.from_crawler(crawler).process_item(record)
    assert crawler.stats.get_stats() == {"notices/invalid_count": 1,
                                         "notices/invalid_count/hit_count": 1,
                                         "notices/invalid_count/title": 1}


def test_region_from_registry_first_then_from_text():
    assert parse_record(normalize_record(RAW))["region"]["adcode"] == "341823"
    adhoc = parse_record(normalize_record({**RAW, "region": None, "site_name": "泾县纪委监委"}))
    assert adhoc["region"] == {"province": "安徽省", "city": "宣城市", "county": "泾县",
                               "adcode": "341823"}
    ambiguous = parse_record(normalize_record({**RAW, "region": None, "site_name": "鼓楼区纪委",
                                               "title": "关于巡察整改情况的通报"}))
    assert ambiguous["region"] == {"province": None, "city": None, "county": None,
                                   "adcode": None}
