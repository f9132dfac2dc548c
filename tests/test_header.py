"""Header line parsing: labels as data, every variant platforms.md lists."""

import pytest

from crawler.pages.header import header_label_count, parse_header_line

CASES = [
    ("来源:泾县纪委 时间:2022-02-25 点击量:28146 次",
     {"source": "泾县纪委", "published_at": "2022-02-25", "hit_count": 28146}),
    ("发表日期: 2021-09-26 作者: 张三 来源: 县纪委 【责任编辑:李四】",
     {"published_at": "2021-09-26", "author": "张三", "source": "县纪委", "editor": "李四"}),
    ("来源: | 日期:2016-06-15 07:53:55", {"source": None, "published_at": "2016-06-15 07:53:55"}),
    ("來源: 本站 發布日期: 2020/12/31 14:29:32 點擊量: 4767次",
     {"source": "本站", "published_at": "2020/12/31 14:29:32", "hit_count": 4767}),
    ("发布时间：2021年09月10日 10:20\u3000来源：县纪委监委\u3000浏览次数：35",
     {"published_at": "2021年09月10日 10:20", "source": "县纪委监委", "hit_count": 35}),
    ("信息来源：县委巡察办\xa0\xa0发布日期：2022-08-03 16:05\xa0\xa0浏览次数：",
     {"source": "县委巡察办", "published_at": "2022-08-03 16:05", "hit_count": None}),
    ("文章来源：县纪委 | 发布时间：2022-01-05 【字体：大 中 小】 打印本页 关闭窗口",
     {"source": "县纪委", "published_at": "2022-01-05"}),
]


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_header_line_variants(line, expected):
    assert parse_header_line(line) == expected


def test_label_count_tells_a_header_from_prose():
    assert header_label_count("来源:泾县纪委 时间:2022-02-25") == 2
    assert header_label_count("根据县委统一部署，现将巡察整改进展情况予以公布。") == 0
