"""Tests of phone, e-mail and postal mailbox extraction."""

from __future__ import annotations

import pytest

from pipelines.contacts import (
    extract_contacts,
    find_emails,
    find_mailboxes,
    find_phones,
)


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("联系方式:电话:0563—5035580;", ["0563—5035580"]),
        ("联系方式：电话0371—23399567；", ["0371—23399567"]),
        ("值班电话：0558-6021357", ["0558-6021357"]),
        ("举报电话：12388。", ["12388"]),
        ("欢迎监督，举报电话12388", ["12388"]),
        ("电话（0563）5035580", ["（0563）5035580"]),
        ("手机：13912345678，座机0551 6234567", ["13912345678", "0551 6234567"]),
        ("电话0563-5035580，再次公布电话0563-5035580", ["0563-5035580"]),
    ],
)
def test_phones_as_printed(text, phones):
    assert find_phones(text) == phones


def test_hotlines_named_in_passing_are_not_contacts():
    text = "讲解数字城管12319城市管理服务热线受理范围，将12319城市管理服务热线归并至12345热线。"
    assert find_phones(text) == []


def test_amounts_and_dates_are_not_phones():
    assert find_phones("报废固定资产账面原价457272.89元，2022-02-25，共计扣款21400元") == []


def test_digits_of_an_email_are_not_a_phone():
    text = "电子邮箱:13966175668@163.com。"
    assert find_phones(text) == []
    assert [address for _, _, address in find_emails(text)] == ["13966175668@163.com"]


def test_emails():
    text = "电子邮箱kfltmzj@126.com。邮箱：xcz.1@jx.gov.cn；重复kfltmzj@126.com"
    assert extract_contacts(text)["emails"] == ["kfltmzj@126.com", "xcz.1@jx.gov.cn"]
    assert find_emails("a@b 和 @@ 以及 x@.cn") == []


def test_mailboxes():
    text = (
        "邮政信箱：县邮政局1001号信箱；电子信箱：a@b.cn；"
        "来信地址：某某县纪委监委信访室（邮编：242500）。"
    )
    assert find_mailboxes(text) == ["县邮政局1001号信箱", "某某县纪委监委信访室（邮编：242500）"]


def test_extract_contacts_shape():
    assert extract_contacts("") == {"phones": [], "emails": [], "mailboxes": []}
