"""Tests of region guessing and adcode lookup."""

from __future__ import annotations

import pytest

from pipelines.region import empty_region, lookup_adcode, region_from_text

JINGXIAN = {"province": "安徽省", "city": "宣城市", "county": "泾县", "adcode": "341823"}
LONGTING = {"province": "河南省", "city": "开封市", "county": "龙亭区", "adcode": "410202"}


@pytest.mark.parametrize(
    ("texts", "region"),
    [
        (("泾县纪委监委",), JINGXIAN),
        (("中共泾县城管执法局党组关于县委第二巡察组巡察反馈意见整改进展情况的通报",), JINGXIAN),
        (("龙亭区市容环境卫生服务中心关于区委第一巡察组巡察反馈意见整改情况的通报",), LONGTING),
        (("开封市龙亭区纪委监委",), LONGTING),
        (
            ("宣城市纪委监委",),
            {"province": "安徽省", "city": "宣城市", "county": None, "adcode": "341800"},
        ),
        (
            ("安徽省纪委监委",),
            {"province": "安徽省", "city": None, "county": None, "adcode": "340000"},
        ),
        (
            ("广西纪委监委",),
            {"province": "广西壮族自治区", "city": None, "county": None, "adcode": "450000"},
        ),
        (
            ("南京市鼓楼区纪委监委",),
            {"province": "江苏省", "city": "南京市", "county": "鼓楼区", "adcode": "320106"},
        ),
        (
            ("福州市纪委监委", "鼓楼区某局巡察整改"),
            {"province": "福建省", "city": "福州市", "county": "鼓楼区", "adcode": "350102"},
        ),
    ],
)
def test_region_from_text(texts, region):
    assert region_from_text(*texts) == region


@pytest.mark.parametrize(
    "texts",
    [("鼓楼区纪委监委",), ("朝阳区",), ("市委和县委",), ("",), ("纪委监委",), ()],
)
def test_ambiguous_or_unknown_gives_all_nulls(texts):
    assert region_from_text(*texts) == empty_region()


def test_ambiguous_district_within_a_province_falls_back_to_the_province():
    # 江苏 has two 鼓楼区 (南京, 徐州)
    region = region_from_text("江苏省纪委监委", "鼓楼区纪委")
    assert region == {"province": "江苏省", "city": None, "county": None, "adcode": "320000"}


def test_lookup_adcode():
    assert lookup_adcode("341823") == JINGXIAN
    assert lookup_adcode("410202000000") == LONGTING
    assert lookup_adcode("110105") == {
        "province": "北京市",
        "city": "北京市",
        "county": "朝阳区",
        "adcode": "110105",
    }
    assert lookup_adcode("429004")["city"] is None
    for bad in ["999999", "34", "3418230", "", "abcdef"]:
        assert lookup_adcode(bad) is None
