"""Block-aware paragraphs: a line per block or `<br>` line, as a browser lays the text out."""

from __future__ import annotations

from lxml import html

from crawler.pages.blocks import element_paragraphs


def paragraphs(markup: str) -> list[str]:
    return element_paragraphs(html.fragment_fromstring(markup, create_parent="div"))


def test_a_line_break_in_the_source_is_a_space():
    assert paragraphs("电话：<span>\n    0314-7566207</span><br>\n项目联系人：\n叶晓宇<br>") == [
        "电话： 0314-7566207", "项目联系人： 叶晓宇"]


def test_table_cells_are_lines_of_their_own():
    assert paragraphs("<table><tr><th>供应商名称</th><th>地址</th></tr>"
                      "<tr><td>承德发金商贸有限公司</td><td></td><td>围场镇</td></tr></table>") == [
        "供应商名称", "地址", "承德发金商贸有限公司", "围场镇"]


def test_paragraphs_split_at_blocks_only():
    assert paragraphs("<p>一、项目编号：</p><p>ZC1308\n00202101632</p>") == [
        "一、项目编号：", "ZC1308 00202101632"]


def test_line_breaks_inside_pre_are_lines():
    markup = "<pre>第一行\n第二行\r\n<b>第三行</b><pre hidden>隐\n藏</pre></pre>\n后\n文"
    assert paragraphs(markup) == ["第一行", "第二行", "第三行", "后 文"]
