"""Generated corpora: valid notice records (schema version 1) with known duplicate clusters.

A corpus holds original notices on several sites and, with their ground truth:
- copies republished by other sites, exact or altered the way sites alter them (other
  whitespace and full-width digits, an added 来源/时间 header line, an added signature and date);
  each must land in the cluster of its original;
- notices that look alike but are different notices: a *sibling* (the same inspection group's
  report on another unit, same boilerplate), a *follow-up* (the same unit's later progress
  report, same introduction and problem list) and a *launch sibling* (the short 进驻公告 of the
  same group at another unit: one template, unit, dates and phone substituted); none may join
  the original's cluster.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

COUNTIES = [
    ("jingxian", "泾县", "安徽省", "宣城市", "341823"),
    ("jixi", "绩溪县", "安徽省", "宣城市", "341824"),
    ("longting", "龙亭区", "河南省", "开封市", "410202"),
    ("shouxian", "寿县", "安徽省", "淮南市", "340422"),
    ("qimen", "祁门县", "安徽省", "黄山市", "341024"),
    ("lankao", "兰考县", "河南省", "开封市", "410225"),
    ("wuyuan", "婺源县", "江西省", "上饶市", "361130"),
    ("anji", "安吉县", "浙江省", "湖州市", "330523"),
]
UNITS = ["城管执法局", "教育局", "卫生健康委员会",
         "财政局", "人力资源和社会保障局", "自然资源局",
         "交通运输局", "水利局", "民政局",
         "农业农村局", "市场监督管理局", "住房和城乡建设局",
         "文化旅游体育局", "统计局", "审计局",
         "林业局", "医疗保障局", "应急管理局"]
GROUPS = ["第一", "第二", "第三", "第四", "第五"]
AREAS = ["贯彻落实党的路线方针政策", "落实全面从严治党责任", "基层党组织建设",
         "干部队伍建设", "巡察整改和主题教育", "意识形态工作",
         "落实中央八项规定精神", "财务管理和资产管理"]
ISSUES = ["学习贯彻上级决策部署不够深入", "重点工作推进迟缓", "主体责任压得不实",
          "监督责任履行不到位", "民主集中制执行不严格", "三会一课制度落实不到位",
          "党员发展程序不规范", "干部选拔任用程序不严谨", "公务接待管理不规范",
          "公车使用管理不严格", "专项资金拨付滞后", "固定资产账实不符",
          "政府采购程序不规范", "合同管理存在漏洞", "意识形态阵地管理薄弱",
          "廉政风险排查不全面", "违规发放津补贴", "食堂管理不规范",
          "档案资料管理混乱", "信访件办理不及时"]
DETAILS = ["部分班子成员对政策理解停留在表面", "年度任务清单未按时间节点完成",
           "相关台账资料记录不全", "个别项目存在先实施后审批情况",
           "报销凭证附件不齐全", "制度建设滞后于工作实际",
           "整改责任未分解到具体岗位", "会议记录流于形式", "个别股室负责人长期未轮岗",
           "对下属单位监管缺位", "问题线索处置超出时限", "宣传教育针对性不强"]
ACTIONS = ["召开专题会议研究部署", "制定整改方案明确责任分工", "修订完善相关管理制度",
           "开展专项检查全面排查", "组织专题学习强化认识", "建立问题台账实行销号管理",
           "约谈相关责任人", "对违规资金予以追缴", "健全长效机制",
           "加强日常监督检查"]
RESULTS = ["目前已整改完成", "已取得阶段性成效", "已建立长效机制并持续推进", "正在按计划推进"]
KINDS = ["rectification", "rectification", "rectification", "inspection_feedback",
         "inspection_launch", "disciplinary_report", "other", None]
# facts peculiar to one notice: random runs of common characters, so that two notices share
# little beyond their template, as real ones do
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
          "同工也能下"
          "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
          "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各"
          "重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代")
NUMERALS = "一二三四五六七八九十"
MEDIA = [("pdf", "application/pdf"), ("docx", "application/vnd.openxmlformats-officedocument"
         ".wordprocessingml.document"), ("jpg", "image/jpeg")]
VARIANTS = ("exact", "whitespace", "header", "signature", "header+signature+whitespace")


@dataclass
class GeneratedCorpus:
    """Records, the true notice of each URL, and the pairs a clustering must (not) join."""

    records: list[dict] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # url -> id of the notice it copies
    must_cluster: list[tuple[str, str, str]] = field(default_factory=list)  # (url, url, variant)
    must_not_cluster: list[tuple[str, str, str]] = field(default_factory=list)  # (…, relation)


@dataclass
class _Draft:
    """What a notice says, before it is laid out as a record."""

    county: tuple
    unit: str
    group: str
    start: date
    problems: list[tuple[str, str, str]]  # (area, issue sentence, action sentence)
    follow_up: bool = False
    launch: bool = False


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _facts(rng: random.Random) -> str:
    return "".join(rng.choice(COMMON) for _ in range(rng.randint(20, 40)))


def _problems(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    problems = []
    for _ in range(count):
        issue = (f"{rng.choice(ISSUES)}，{rng.choice(DETAILS)}，"
                 f"涉及{rng.randint(2, 40)}项具体事项，经查{_facts(rng)}")
        action = (f"{rng.choice(ACTIONS)}，{rng.choice(ACTIONS)}，共整改{rng.randint(1, 30)}项、"
                  f"完善制度{rng.randint(1, 9)}项，{rng.choice(RESULTS)}")
        problems.append((rng.choice(AREAS), issue, action))
    return problems


def _outline_and_body(draft: _Draft, rng: random.Random) -> tuple[list[dict], list[str]]:
    county_name = draft.county[1]
    unit = f"{county_name}{draft.unit}党组"
    end = draft.start + timedelta(days=rng.randint(30, 60))
    feedback = end + timedelta(days=rng.randint(10, 40))
    start = draft.start
    intro = (f"根据{county_name}委统一部署，{start.year}年{start.month}月{start.day}日"
             f"至{end.month}月{end.day}日，{county_name}委{draft.group}巡察组对{unit}开展了常规巡察。"
             f"{feedback.month}月{feedback.day}日，巡察组向{unit}反馈了巡察意见。按照党务公开原则和巡察"
             f"工作有关要求，现将巡察整改{'进展' if draft.follow_up else ''}情况予以公布。")
    paragraphs = [intro]
    outline = []
    first = "一、整改工作的组织领导" if not draft.follow_up else "一、持续深化整改的总体情况"
    lead = (f"{unit}把巡察整改作为重大政治任务，成立由党组书记任组长的整改工作领导小组，"
            f"{rng.choice(ACTIONS)}，{rng.choice(ACTIONS)}。" if not draft.follow_up else
            f"集中整改期结束后，{unit}坚持目标不变、标准不降、力度不减，"
            f"对尚未完成的事项{rng.choice(ACTIONS)}，对已完成的事项开展回头看，"
            f"{rng.choice(ACTIONS)}，巩固提升整改成效，做到问题不解决不松手。")
    paragraphs += [first, lead]
    outline.append({"level": 1, "number": "一", "heading": first[2:], "text": lead, "children": []})
    second = "二、巡察反馈问题的整改落实情况"
    paragraphs.append(second)
    children = []
    for index, (area, issue, action) in enumerate(draft.problems):
        number = f"（{NUMERALS[index % 10]}）"
        heading = f"关于{area}方面的问题"
        if draft.follow_up:
            action = (f"进展：在前期{rng.choice(ACTIONS)}的基础上，{_facts(rng)}，"
                      f"新增完善制度{rng.randint(1, 9)}项、追缴资金{rng.randint(1, 90)}万元，"
                      f"{rng.choice(RESULTS)}，下一步将{rng.choice(ACTIONS)}。")
        text = f"问题：{issue}。整改情况：{action}。"
        paragraphs += [number + heading, text]
        children.append({"level": 2, "number": number, "heading": heading, "text": text,
                         "children": []})
    outline.append({"level": 1, "number": "二", "heading": second[2:], "text": "",
                    "children": children})
    paragraphs.append(f"欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"
                      f"联系电话：0563-{rng.randint(5000000, 5999999)}；电子邮箱："
                      f"{draft.county[0]}xc@163.com。")
    return outline, paragraphs


def _launch_paragraphs(draft: _Draft, rng: random.Random) -> list[str]:
    """A short 巡察进驻公告: the same template for every unit a group inspects."""
    county_name = draft.county[1]
    unit = f"{county_name}{draft.unit}党组"
    start, end = draft.start, draft.start + timedelta(days=rng.randint(30, 60))
    return [f"根据{county_name}委巡察工作统一部署，{county_name}委{draft.group}巡察组于"
            f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"
            f"对{unit}开展常规巡察。",
            f"巡察期间设立专门值班电话：0563-{rng.randint(5000000, 5999999)}，专用邮箱："
            f"{draft.county[0]}xcz{rng.randint(1, 9)}@163.com。受理信访时间截止到"
            f"{end.month}月{end.day}日。",
            f"根据巡察工作条例规定，巡察组主要受理反映{unit}领导班子及其成员、"
            f"中层干部问题的来信来电来访。"]


def _record(draft: _Draft, county: tuple, number: int, published_at: str,
            paragraphs: list[str], outline: list[dict], rng: random.Random) -> dict:
    site_id, county_name, province, city, adcode = county
    host = f"http://www.{site_id}.example.gov.cn"
    body = "\n".join(paragraphs)
    observed = datetime(2026, 11, 20, 9, rng.randint(0, 59))
    attachments = [{"url": f"{host}/uploads/{number}-{i}.{ext}", "name": f"附件{i + 1}.{ext}",
                    "media_type": media} for i, (ext, media) in
                   enumerate(rng.sample(MEDIA, rng.choice([0, 0, 1, 2])))]
    phones = [p for p in paragraphs[-1].replace("；", "：").split("：") if p.startswith("0563-")]
    record = {
        "schema_version": 1,
        "url": f"{host}/xcgz/{published_at[:7].replace('-', '')}/t{number}.html",
        "site_id": site_id,
        "site_name": f"{county_name}纪委监委",
        "column": "巡察工作",
        "list_url": f"{host}/xcgz/index.html",
        "title": (f"{draft.county[1]}委{draft.group}巡察组进驻{draft.county[1]}{draft.unit}党组"
                  f"开展巡察的公告") if draft.launch else
                 (f"中共{draft.county[1]}{draft.unit}党组关于巡察整改"
                  f"{'进展' if draft.follow_up else ''}情况的通报"),
        "source": rng.choice([f"{county_name}纪委", None]),
        "published_at": published_at,
        "hit_count": rng.randint(0, 5000),
        "hit_count_observed_at": observed.isoformat() + "+08:00",
        "author": None,
        "editor": rng.choice(["王敏", "李强", None]),
        "body_text": body,
        "attachments": attachments,
        "crawled_at": "2026-11-20T01:00:00Z",
        "content_sha1": sha1(body),
        "region": {"province": province, "city": city, "county": county_name, "adcode": adcode},
        "notice": {
            "kind": "inspection_launch" if draft.launch else rng.choice(KINDS),
            # what the text says: the inspecting county's, also on a republishing site
            "inspection_body": f"{draft.county[1]}委{draft.group}巡察组",
            "inspected_unit": f"{draft.county[1]}{draft.unit}党组",
            "inspection_start": draft.start.isoformat(),
            "inspection_end": None,
            "feedback_date": None,
            "problem_count": None if draft.launch else rng.choice([len(draft.problems), None]),
            "outline": outline,
            "contacts": {"phones": phones, "emails": [f"{site_id}xc@163.com"], "mailboxes": []},
        },
    }
    return as_version_2(record, draft)


VERSION_2_NOTICE_FIELDS = ("inspection_round", "inspection_type", "inspected_units",
                           "rectification_stats")


def as_version_1(record: dict) -> dict:
    """The record as schema version 1 wrote it: without the notice fields version 2 added."""
    notice = {k: v for k, v in record["notice"].items() if k not in VERSION_2_NOTICE_FIELDS}
    return {**record, "schema_version": 1, "notice": notice}


def as_version_2(record: dict, draft: _Draft) -> dict:
    """A record as schema version 2 writes it: the notice's added fields filled in."""
    notice = record["notice"]
    fixed = None if draft.launch else len(draft.problems) - 1
    stats = {"problems_fixed": fixed, "completion_rate": "90%", "money_recovered": ["1.5万元"]}
    notice.update({
        "inspection_round": "十四届县委第二轮",
        "inspection_type": "routine",
        "inspected_units": [notice["inspected_unit"]],
        "rectification_stats": None if draft.launch else stats,
    })
    notice.update({key: notice.pop(key) for key in ("outline", "contacts")})
    return {**record, "schema_version": 2}


def _republished(paragraphs: list[str], variant: str, county: tuple,
                 published: date, rng: random.Random) -> list[str]:
    """The paragraphs of a copy as another site publishes them."""
    out = list(paragraphs)
    if "whitespace" in variant:
        full_width = str.maketrans("0123456789", "０１２３４５６７８９")
        out = [("\u3000\u3000" + p.replace("，", "， ", 2)).translate(full_width) for p in out]
    if "header" in variant:
        out.insert(0, f"来源：{county[1]}纪委监委 发布时间：{published.isoformat()} "
                      f"浏览次数：{rng.randint(10, 999)}")
    if "signature" in variant:
        out += [f"中共{county[1]}委巡察工作领导小组办公室",
                f"{published.year}年{published.month}月{published.day}日"]
    return out


def make_corpus(notices: int = 30, seed: int = 7, *, copy_rate: float = 0.6,
                sibling_rate: float = 0.3, follow_up_rate: float = 0.2,
                launch_rate: float = 0.3) -> GeneratedCorpus:
    """A corpus of `notices` original notices with copies, siblings, follow-ups and launch
    announcements (each copied to another site, and with a sibling at another unit)."""
    rng = random.Random(seed)
    corpus = GeneratedCorpus()
    serial = iter(range(1000, 10**9))

    def add(draft, county, published_at, paragraphs, outline, notice_id):
        record = _record(draft, county, next(serial), published_at, paragraphs, outline, rng)
        corpus.records.append(record)
        corpus.truth[record["url"]] = notice_id
        return record

    for index in range(notices):
        county = rng.choice(COUNTIES)
        draft = _Draft(county, rng.choice(UNITS), rng.choice(GROUPS),
                       date(2021, 1, 1) + timedelta(days=rng.randint(0, 700)),
                       _problems(rng, rng.randint(3, 8)))
        day = draft.start + timedelta(days=rng.randint(90, 150))
        published_at = day.isoformat()
        if rng.random() < 0.5:  # the time of day is known
            published_at += f"T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00+08:00"
        outline, paragraphs = _outline_and_body(draft, rng)
        original = add(draft, county, published_at, paragraphs, outline, f"n{index}")
        if rng.random() < copy_rate:
            others = rng.sample([c for c in COUNTIES if c != county], rng.randint(1, 3))
            for other in others:
                variant = rng.choice(VARIANTS)
                copy_day = day + timedelta(days=rng.randint(0, 5))
                copy = add(draft, other, copy_day.isoformat(),
                           _republished(paragraphs, variant, county, copy_day, rng), outline,
                           f"n{index}")
                corpus.must_cluster.append((original["url"], copy["url"], variant))
        if rng.random() < sibling_rate:
            sibling = _Draft(county, rng.choice([u for u in UNITS if u != draft.unit]),
                             draft.group, draft.start, _problems(rng, len(draft.problems)))
            s_outline, s_paragraphs = _outline_and_body(sibling, rng)
            record = add(sibling, county, day.isoformat(), s_paragraphs, s_outline,
                         f"n{index}-sibling")
            corpus.must_not_cluster.append((original["url"], record["url"], "sibling"))
        if rng.random() < follow_up_rate:
            follow = _Draft(county, draft.unit, draft.group, draft.start, draft.problems, True)
            f_outline, f_paragraphs = _outline_and_body(follow, rng)
            later = (day + timedelta(days=180)).isoformat()
            record = add(follow, county, later, f_paragraphs, f_outline, f"n{index}-follow-up")
            corpus.must_not_cluster.append((original["url"], record["url"], "follow-up"))
        if rng.random() < launch_rate:
            launch = _Draft(county, draft.unit, draft.group, draft.start, [], launch=True)
            paragraphs = _launch_paragraphs(launch, rng)
            announced = (draft.start - timedelta(days=2)).isoformat()
            first = add(launch, county, announced, paragraphs, [], f"n{index}-launch")
            other = rng.choice([c for c in COUNTIES if c != county])
            variant = rng.choice(VARIANTS)
            copy = add(launch, other, announced,
                       _republished(paragraphs, variant, county, draft.start, rng), [],
                       f"n{index}-launch")
            corpus.must_cluster.append((first["url"], copy["url"], f"launch {variant}"))
            sibling = _Draft(county, rng.choice([u for u in UNITS if u != draft.unit]),
                             draft.group, draft.start, [], launch=True)
            record = add(sibling, county, announced, _launch_paragraphs(sibling, rng), [],
                         f"n{index}-launch-sibling")
            corpus.must_not_cluster.append((first["url"], record["url"], "launch-sibling"))
    return corpus


def recrawled(records: list[dict], crawled_at: str, observed_at: str,
              extra_hits: int) -> list[dict]:
    """The same records as a later crawl finds them: new crawl time and higher hit counts."""
    later = []
    for record in records:
        copy = json.loads(json.dumps(record))
        copy["crawled_at"] = crawled_at
        copy["hit_count"] = record["hit_count"] + extra_hits
        copy["hit_count_observed_at"] = observed_at
        later.append(copy)
    return later


def write_jsonl(records: list[dict], path: Path) -> Path:
    """Write records as a crawl does: one JSON object per line, UTF-8 characters."""
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
