"""Tests of Chinese date recognition."""

from __future__ import annotations

from pipelines.cndates import cn_number, find_date_ranges, find_dates, parse_date


def isos(text, default_year=None):
    return [mention.iso for mention in find_dates(text, default_year)]


def test_full_dates():
    assert parse_date("2021年8月30日") == "2021-08-30"
    assert parse_date("时间:2022-02-25 点击量") == "2022-02-25"
    assert parse_date("2022.3.1") == "2022-03-01"


def test_chinese_numeral_dates():
    assert parse_date("二〇二二年二月二十五日") == "2022-02-25"
    assert parse_date("二○二一年十二月三十一日") == "2021-12-31"
    assert parse_date("二零二三年十月一日") == "2023-10-01"


def test_year_carried_from_earlier_date():
    text = "2021年8月30日至2021年9月18日，巡察。10月29日上午，反馈会召开。"
    assert isos(text) == ["2021-08-30", "2021-09-18", "2021-10-29"]


def test_default_year_used_until_a_year_is_printed():
    assert isos("9月15日上午，2020年1月2日，3月4日", 2022) == [
        "2022-09-15",
        "2020-01-02",
        "2020-03-04",
    ]
    assert isos("9月15日上午") == []


def test_invalid_dates_dropped():
    assert isos("2022年2月30日，2022年13月1日，2021年2月29日") == []


def test_ranges():
    ranges = find_date_ranges("2022年4月12日至6月17日，区委第一巡察组")
    assert [(r.start_iso, r.end_iso) for r in ranges] == [("2022-04-12", "2022-06-17")]
    ranges = find_date_ranges("3月5日-20日", 2023)
    assert [(r.start_iso, r.end_iso) for r in ranges] == [("2023-03-05", "2023-03-20")]
    assert find_date_ranges("2022年4月12日，6月17日") == []
    ranges = find_date_ranges("自2017年10月12日开始,10月17日结束")
    assert [(r.start_iso, r.end_iso) for r in ranges] == [("2017-10-12", "2017-10-17")]
    assert find_date_ranges("自2017年10月12日开始,10月17日召开会议") == []


def test_range_over_new_year_moves_later_dates_too():
    text = "2021年12月6日至1月14日，2月18日反馈"
    ranges = find_date_ranges(text)
    assert [(r.start_iso, r.end_iso) for r in ranges] == [("2021-12-06", "2022-01-14")]
    assert isos(text)[-1] == "2022-02-18"


def test_cn_number():
    assert [cn_number(token) for token in ["34", "十二", "二十一", "两", "十十"]] == [
        34,
        12,
        21,
        2,
        None,
    ]


def test_two_whole_dates_with_nothing_between_are_a_range():
    # a page that lost its 至; dates kept apart by a comma are not a range
    [found] = find_date_ranges("于2020年5月6日6月5日对该院进行了巡察")
    assert (found.start_iso, found.end_iso) == ("2020-05-06", "2020-06-05")
    assert find_date_ranges("2021年8月30日，9月1日") == []
