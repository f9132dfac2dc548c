"""Hypothesis strategies for the fuzz tests: notice-like text, tag soup and its mutations."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces of real notices and pages: labels, dates, numbers, outline marks, odd whitespace.
TOKENS = (
    "来源：", "来源:", "信息来源：", "发布时间：", "时间：", "日期：", "点击量：", "浏览次数：",
    "作者：", "责任编辑：", "编辑：", "【字体：大 中 小】", "打印本页", "关闭窗口", "|", "｜",
    "2022-02-25", "2021年09月10日 10:20", "2020/12/31 14:29:32", "2026.09.19", "1645747920",
    "1645747920123", "二〇二二年二月二十五日", "2023年4月10日至5月31日", "2019-13-45",
    "巡察", "整改", "县委第一巡察组", "中共泾县城管执法局党组", "关于", "情况的通报",
    "巡察整改进展情况", "反馈意见", "问题", "共发现问题12个", "一、", "（一）", "1.", "（1）",
    "第一，", "二是", "联系电话：0563-5021234", "电子邮箱：jw@example.gov.cn", "邮政信箱：",
    "安徽省", "宣城市", "泾县", "龙亭区", "河南省", "开封市", "…", "...", " - 泾县纪委监委",
    "_某县人民政府", "\n", "\r\n", "\t", " ", "\u3000", "\xa0", "\u200b", "\ufeff", "\x00",
    "\x0b", "\ud800", "\udfff", "²", "١٢٣", "０１２", "-1", "9" * 30, "404", "页面不存在",
)
ALPHABET = st.characters(codec=None, exclude_categories=())  # any code point, surrogates too


def notice_text(max_pieces: int = 40) -> st.SearchStrategy[str]:
    """Text mixing notice pieces with arbitrary characters (lone surrogates and NULs too)."""
    piece = st.one_of(st.sampled_from(TOKENS), st.text(ALPHABET, max_size=8),
                      st.integers(min_value=-5, max_value=10**12).map(str))
    return st.lists(piece, max_size=max_pieces).map("".join)


# Link targets pages really carry, all resolvable to http(s) URLs.
WEB_HREFS = st.sampled_from((
    "/a/xcgz/2022/0225/1234.html", "t20221014_1001.html", "../list_12_2.html", "#top",
    "files/report.pdf", "报告.docx",
    "http://other.gov.cn/x.html", "https://127.0.0.1/?a=1", " ",
    "", "//cdn.example/x.xls", "index_2.html", "?page=3", "/plus/count.php?aid=1",
    "/e/public/ViewClick/?id=3", "a b.pdf", "%E6%8A%A5%E5%91%8A.pdf", "x.PDF?download=1",
))
# Hrefs of other schemes, broken URLs and arbitrary text as well.
ANY_HREFS = st.one_of(WEB_HREFS, st.sampled_from((
    "ftp://ftp.example.gov.cn/a.pdf", "vbscript:x.pdf", "file:///etc/passwd.pdf", "tel:123.doc",
    "http://[::1", "http://a b/", "javascript:void(0)", "javascript:down('a.pdf')",
    "mailto:jw@example.gov.cn", "data:image/png;base64,AAAA",
)), st.text(ALPHABET, max_size=20))
TAGS = ("p", "div", "span", "li", "ul", "td", "tr", "table", "h1", "h2", "font", "b", "center",
        "article", "section", "em", "strong", "pre")
BODY_MARKERS = ('id="zoom"', 'class="TRS_Editor"', 'id="vsb_content"', 'class="content"',
                'class="title"', 'class="article-title"', "")
META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "Author", "SiteName", "keywords",
              "pubdate", "ARTICLETITLE")


def _attr_value(text: str) -> str:
    return text.replace('"', "&quot;")


def _element(children: st.SearchStrategy[str], hrefs) -> st.SearchStrategy[str]:
    plain = st.builds(lambda tag, marker, inner: f"<{tag} {marker}>{inner}</{tag}>",
                      st.sampled_from(TAGS), st.sampled_from(BODY_MARKERS),
                      st.lists(children, max_size=5).map("".join))
    link = st.builds(lambda href, title, inner: f'<a href="{_attr_value(href)}" '
                                                f'title="{_attr_value(title)}">{inner}</a>',
                     hrefs, notice_text(3), children)
    image = st.builds(lambda src, alt: f'<img src="{_attr_value(src)}" alt="{_attr_value(alt)}">',
                      hrefs, notice_text(2))
    unclosed = st.builds(lambda tag, inner: f"<{tag}>{inner}", st.sampled_from(TAGS), children)
    return st.one_of(plain, link, image, unclosed)


LEAVES = st.one_of(
    notice_text(6),
    st.sampled_from(("<br>", "<br/>", "<hr>", "<!-- 注释 -->", "<script>var a='<p>来源：x</p>';"
                     "document.write('1')</script>", "<style>p{}</style>", "&nbsp;", "&#12345;",
                     "&#xD800;", "&#0;", "&amp;", "<", ">", "</div>", "<![CDATA[x]]>",
                     '<script src="/plus/count.php?view=yes&aid=1240&mid=1"></script>',
                     '<script>_showDynClicks("wbnews", 1234, 5678)</script>', "下一页", "<a>",
                     '<a href="index_2.html">下一页</a>', '<a href="?p=2">&gt;</a>')),
)


def _page(title: str, metas: list[tuple[str, str]], body: str, doctype: bool) -> str:
    head = "".join(f'<meta name="{name}" content="{_attr_value(value)}">' for name, value in metas)
    return (("<!DOCTYPE html>" if doctype else "")
            + f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>")


def pages(hrefs: st.SearchStrategy[str] = WEB_HREFS) -> st.SearchStrategy[str]:
    """Whole pages: title, <meta> fields and a body of tag soup whose links take `hrefs`."""
    fragments = st.recursive(LEAVES, lambda children: _element(children, hrefs), max_leaves=25)
    return st.builds(_page, notice_text(6),
                     st.lists(st.tuples(st.sampled_from(META_NAMES), notice_text(4)),
                              max_size=3),
                     st.lists(fragments, max_size=5).map("".join), st.booleans())


def encode(text: str, encoding: str = "utf-8") -> bytes:
    """Text as bytes; lone surrogates go through as their (invalid) UTF-8 bytes."""
    return text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")


@st.composite
def mutated(draw, hrefs: st.SearchStrategy[str] = WEB_HREFS) -> bytes:
    """A page as bytes, maybe truncated, with NULs or bytes of other encodings spliced in."""
    text = draw(pages(hrefs))
    encoding = draw(st.sampled_from(("utf-8", "gb18030", "utf-16", "latin-1")))
    body = encode(text, encoding)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(body)))
        splice = draw(st.one_of(
            st.binary(max_size=12), st.just(b"\x00"),
            notice_text(4).map(lambda t: t.encode("gb18030", errors="replace")),
            notice_text(4).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
        ))
        body = body[:at] + splice + body[at:]
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]
    return body


def nested(depth: int, tag: str = "div") -> str:
    """A page with `depth` nested elements around a notice paragraph."""
    return (f"<html><body>{f'<{tag}>' * depth}<p>来源：泾县纪委 时间：2022-02-25</p>"
            f"<p>巡察整改情况通报正文。</p>{f'</{tag}>' * depth}</body></html>")


CONTENT_TYPES = st.sampled_from((
    None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk",
    "text/html; charset=gb2312", "text/html; charset=x-unknown", "application/octet-stream",
    "text/html; charset=utf-16", "TEXT/HTML; CHARSET=\"GB2312\"",
))
URLS = st.sampled_from((
    "http://www.example.gov.cn/a/xcgz/2022/0225/1234.html", "http://127.0.0.1:8000/list.html",
    "https://jw.example.gov.cn/art/2021/9/10/art_1_2.html", "http://www.example.gov.cn/",
    "http://www.example.gov.cn/xcgz/index_3.html?x=%E5%B7%A1", "http://例子.中国/列表.html",
))
