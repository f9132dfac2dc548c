"""Fallback rules of the notice page object, each on a page shaped as real pages print it:
dates beside the title in any printed form, titles behind separators, bodies that are not
what a selector found, the editor line and attachment list kept out of the body."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.pages.detail import NoticePage
from pipelines.dates import to_iso_date
from pipelines.normalize import clean_title

URL = "http://www.example.gov.cn/xwzx/2023/1201/c1.html"
PARAGRAPHS = ("根据县委统一部署，县委第二巡察组对县教育局党组开展了常规巡察，现将整改情况公布。",
              "一、提高政治站位，扎实推进整改落实。县教育局党组把巡察整改作为重大政治任务。",
              "欢迎广大干部群众对巡察整改落实情况进行监督。")


def page(body: str, title: str = "关于巡察整改情况的通报_东岭县人民政府") -> NoticePage:
    html = (f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><div class='nav'><a href='/'>首页</a> <a href='/xwzx/'>新闻中心</a></div>"
            f"{body}<div class='foot'>东岭县人民政府 版权所有</div></body></html>")
    return NoticePage(HtmlResponse(URL, body=html.encode("utf-8"), request=Request(URL)))


def text(paragraphs=PARAGRAPHS) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


@pytest.mark.parametrize(("printed", "iso"), [
    ("2012-06-24", "2012-06-24"),
    ("2012年06月24日", "2012-06-24"),
    ("2023-12-01 14:43", "2023-12-01T14:43:00+08:00"),
    ("二〇二三年十二月一日", "2023-12-01"),
])
def test_unlabelled_date_beside_the_title(printed, iso):
    notice = page(f"<div class='art'><h2>关于巡察整改情况的通报</h2><div>{printed}</div>"
                  f"<div class='wz'>{text()}</div></div>")
    assert to_iso_date(notice.published_at) == iso
    assert notice.field_rules["published_at"] == "date_near_title"


def test_label_on_one_line_date_on_the_next():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><span>发布时间：</span><br>"
                  f"<span>2023-12-01 14:43</span><div class='wz'>{text()}</div></div>")
    assert to_iso_date(notice.published_at) == "2023-12-01T14:43:00+08:00"


def test_single_label_line_gives_date_and_source_near_the_title():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><div>发布日期: 2012-06-24</div>"
                  f"<div>来源：县委巡察办</div><div class='wz'>{text()}</div></div>")
    assert (notice.published_at, notice.source) == ("2012-06-24", "县委巡察办")


@pytest.mark.parametrize(("page_title", "clean"), [
    ("关于批准调整2007年末国债余额限额的决议__2007年第23号国务院公报_中国政府网",
     "关于批准调整2007年末国债余额限额的决议"),
    ("关于巡察整改情况的通报_通知公告_东岭县人民政府", "关于巡察整改情况的通报"),
    ("关于巡察整改情况的通报 | 东岭县纪委监委", "关于巡察整改情况的通报"),
    ("关于巡察整改情况的通报——东岭县人民政府门户网站", "关于巡察整改情况的通报"),
    ("坚守初心——记东岭县优秀纪检干部", "坚守初心——记东岭县优秀纪检干部"),
])
def test_title_suffixes(page_title, clean):
    assert clean_title(page_title) == clean


def test_title_is_the_heading_the_page_title_starts_with():
    notice = page("<div class='logo'><h1>东岭县人民政府</h1></div><div class='art'>"
                  "<h3>关于巡察整改情况的通报</h3><div>日期：2023-01-05 来源：县政府办</div>"
                  f"<div class='wz'>{text()}</div></div>",
                  title="关于巡察整改情况的通报_通知公告_东岭县人民政府")
    assert notice.title == "关于巡察整改情况的通报"
    assert notice.field_rules["title"] == "heading_in_page_title"


def test_title_is_the_line_above_the_header_line():
    notice = page("<div class='art'><div class='bt'>关于巡察整改情况的通报</div>"
                  "<div>日期：2023-01-05 来源：县政府办</div>"
                  f"<div class='wz'>{text()}</div></div>", title="通知公告")
    assert notice.title == "关于巡察整改情况的通报"
    assert notice.field_rules["title"] == "above_header_line"


def test_body_that_is_a_url_is_rejected():
    notice = page("<div class='content'>https://www.example.gov.cn/</div><div class='art'>"
                  f"<h2>关于巡察整改情况的通报</h2><div class='wz'>{text()}</div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
    assert notice.field_rules["body"] == "density"


def test_body_far_shorter_than_the_main_text_is_rejected():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2>"
                  "<div class='content'><p>巡察整改情况通报（摘要）见下文内容。</p></div>"
                  f"<div class='wz'>{text(PARAGRAPHS * 3)}</div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS * 3)


def test_navigation_is_no_body():
    links = "".join(f"<li><a href='/n{i}.html'>巡察工作动态第{i}期</a></li>" for i in range(12))
    notice = page(f"<div class='content'><ul>{links}</ul></div><div class='art'>"
                  f"<h2>关于巡察整改情况的通报</h2><div class='wz'>{text()}</div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)


def test_editor_line_leaves_the_body_for_the_editor_field():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2>"
                  f"<div class='content'>{text()}<p>（责任编辑：王五）</p></div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
    assert notice.editor == "王五"


def test_attachment_list_leaves_the_body_for_attachments():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><div class='content'>"
                  f"{text()}<p>附件：</p><p>1.<a href='/u/a.pdf'>整改任务清单.pdf</a></p>"
                  "<p>2.<a href='/u/b.docx'>整改台账</a></p></div>"
                  "<p><a href='javascript:window.print()'>【打印本页】</a></p></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
    assert [(a.url, a.name) for a in notice.attachments] == [
        ("http://www.example.gov.cn/u/a.pdf", "整改任务清单.pdf"),
        ("http://www.example.gov.cn/u/b.docx", "整改台账")]


def test_attachments_listed_below_the_body():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2>"
                  f"<div class='content'>{text()}</div>"
                  "<div class='fj'>附件：<a href='/u/a.pdf'>整改任务清单</a></div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
    assert [a.url for a in notice.attachments] == ["http://www.example.gov.cn/u/a.pdf"]


def test_markup_after_a_stray_html_end_tag_is_read():
    notice = page(f"<div class='top'>东岭县</div></html><div class='art'><h2>关于巡察整改情况的"
                  f"通报</h2><div>2012-06-24</div><div id='UCAP-CONTENT'>{text()}</div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
    assert notice.published_at == "2012-06-24"


def test_disclosure_table_gives_publication_date_and_issuer():
    table = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in (
        ("索 引 号：", "11220000013544357T/2022-00426"), ("发文机关：", "东岭县人民政府"),
        ("成文日期：", "2022年01月27日"), ("发布日期：", "2022年01月28日")))
    notice = page(f"<table class='xxgk'>{table}</table><div class='art'>"
                  f"<h2>关于巡察整改情况的通报</h2><div id='zoom'>{text()}</div></div>")
    assert (notice.published_at, notice.source) == ("2022年01月28日", "东岭县人民政府")
    assert notice.field_rules["published_at"] == "disclosure_table"


def test_byline_opening_the_text_is_the_author():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><div class='content'>"
                  f"<p>东岭县纪委监委网站 王五 通讯员 赵六</p>{text()}</div></div>")
    assert notice.author == "王五 赵六"
    assert notice.body_paragraphs == list(PARAGRAPHS)


def test_reporters_credited_at_the_end_are_the_author():
    closing = PARAGRAPHS[-1] + "（记者 王五、赵六）"
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><div class='content'>"
                  f"{text((*PARAGRAPHS[:-1], closing))}</div></div>")
    assert notice.author == "王五 赵六"
    assert notice.body_paragraphs[-1] == closing


def test_headline_block_restating_the_title_is_no_body():
    notice = page("<div class='art'><h2>关于巡察整改情况的通报</h2><div class='content'>"
                  "<p>关于巡察整改情况的通报发布</p><p>推动整改落实见底见效</p>"
                  f"{text()}</div></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)


def test_hidden_markup_is_neither_title_nor_body():
    notice = page("<div class='ng-hide'><h1>东岭县人民政府</h1><div class='content'>"
                  f"{text(('隐藏的旧模板内容，不在页面上显示。' * 5,))}</div></div>"
                  "<div class='art'><h2>关于巡察整改情况的通报</h2><div class='content'>"
                  f"{text()}</div></div>", title="东岭县人民政府")
    assert notice.title == "关于巡察整改情况的通报"
    assert notice.body_paragraphs == list(PARAGRAPHS)


def test_article_frame_is_no_body():
    notice = page("<div class='main-content'><div class='crumb'>当前位置：首页 > 通知公告</div>"
                  "<h2>关于巡察整改情况的通报</h2><div>发布时间：2023-01-05 来源：县政府办</div>"
                  f"<div class='article-text'>{text()}</div>"
                  "<ul><li><a href='/1.html'>其他通知</a></li></ul></div>")
    assert notice.body_paragraphs == list(PARAGRAPHS)
