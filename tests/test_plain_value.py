"""NormalizePipeline's copy of item fields is what ItemAdapter.asdict makes of them."""

from dataclasses import dataclass

import pytest
from itemadapter import ItemAdapter

from pipelines.normalize import NormalizePipeline, plain_value


@dataclass
class Nested:
    name: str
    children: list


@pytest.mark.parametrize("value", [
    "text", 3, 1.5, True, None,
    {"url": "http://a.example/", "region": {"adcode": "341823", "county": None}},
    [{"url": "http://a.example/1.pdf", "name": "附件"}], ("a", 1), {1, 2},
    [Nested("a", [Nested("b", [])])], {"item": Nested("c", [("d", {"e": 1})])},
])
def test_same_as_itemadapter_asdict(value):
    copied = plain_value(value)
    assert copied == ItemAdapter({"v": value}).asdict()["v"]
    assert type(copied) is type(ItemAdapter({"v": value}).asdict()["v"])


def test_containers_are_copied():
    region = {"adcode": "341823"}
    record = NormalizePipeline().process_item({"url": "http://a.example/", "region": region,
                                               "attachments": []})
    assert record["region"] == region and record["region"] is not region
