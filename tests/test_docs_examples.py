"""Every shell example of README.md and docs/*.md names things that exist.

Each command line of a ```sh or ```cron block is read as the shell would split it: a spider
must be one `scrapy list` shows, a site id one of the registry (or of the page's own example
`[[site]]` entry), a `-s` setting one of the project's or Scrapy's, a command, script, module
or make target one of the repository's. The project commands and modules shown are started
with `--help` (they need no network for it).
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy.settings import default_settings

import crawler.settings as project_settings
from crawler.registry import load_registry
from tests.conftest import REPO

DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(sh|cron)\n(.*?)^```", re.S | re.M)
PROJECT_SPIDERS = {"notices", "check_sites"}
SCRAPY_COMMANDS = {"crawl", "list", "check-sites", "seed", "reparse", "bench", "shell",
                   "fetch", "runspider", "settings", "version", "view", "parse", "startproject",
                   "genspider", "check", "edit"}
OTHER_PROGRAMS = {"curl", "redis-cli", "xargs"}
SITE_IDS = set(load_registry())
# Sites of the fixture registry count where an example names that registry.
FIXTURE_SITE_IDS = set(load_registry(REPO / "fixtures" / "registry.toml"))
SETTINGS = {name for name in dir(project_settings) if name.isupper()} | {
    name for name in dir(default_settings) if name.isupper()}
SCRIPTS = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
              ["project"]["scripts"])
MAKE_TARGETS = set(re.findall(r"(?m)^([a-z][a-z-]*):", (REPO / "Makefile").read_text()))


@dataclass
class Example:
    doc: str
    line: str
    page_sites: frozenset[str]

    def __str__(self) -> str:
        return f"{self.doc}: {self.line}"


def command_lines(block: str, cron: bool) -> list[str]:
    """The block's commands: continuation lines joined, comments and cron times dropped."""
    lines = block.replace("\\\n", " ").splitlines()
    commands = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if cron and words:
            words = words[5:]
        if words:
            commands.append(shlex.join(words))
    return commands


def examples() -> list[Example]:
    found = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        page_sites = frozenset(re.findall(r'(?m)^id = "([a-z0-9_]+)"', "\n".join(
            re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M))))
        for kind, block in BLOCK.findall(text):
            found += [Example(str(path.relative_to(REPO)), line, page_sites)
                      for line in command_lines(block, kind == "cron")]
    return found


EXAMPLES = examples()


def option_values(words: list[str], option: str) -> list[str]:
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word == option]


def problems(example: Example) -> list[str]:
    """What the example names that does not exist."""
    sites = SITE_IDS | example.page_sites
    if "NOTICES_REGISTRY_PATH=fixtures/registry.toml" in example.line:
        sites |= FIXTURE_SITE_IDS
    spiders = PROJECT_SPIDERS | sites
    words = shlex.split(example.line)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):  # NAME=VALUE before the command
        words = words[1:]
    if not words:  # a variable set for the lines below
        return []
    program, args = Path(words[0]).name, words[1:]
    found = []

    def check_sites(value: str) -> None:
        found.extend(f"no site {s!r}" for s in value.split(",") if s not in sites | {"all"})

    for setting in option_values(args, "-s"):
        if setting.split("=", 1)[0] not in SETTINGS:
            found.append(f"no setting {setting.split('=', 1)[0]}")
    for argument in option_values(args, "-a"):
        if argument.startswith("sites="):
            check_sites(argument.removeprefix("sites="))
    if program == "scrapy":
        command = args[0]
        if command not in SCRAPY_COMMANDS:
            found.append(f"no scrapy command {command!r}")
        if command == "crawl" and args[1] not in spiders:
            found.append(f"no spider {args[1]!r}")
        if command == "seed" and len(args) > 1 and not args[1].startswith("-") \
                and args[1] not in spiders:
            found.append(f"no spider {args[1]!r}")
        for value in option_values(args, "--sites"):
            check_sites(value)
    elif program == "crawl-site.sh":
        if not (REPO / "scripts" / program).is_file():
            found.append("no scripts/crawl-site.sh")
        check_sites(args[0])
    elif program == "python":
        module = args[args.index("-m") + 1]
        spec = importlib.util.find_spec(module)
        if spec is None or (spec.submodule_search_locations is not None
                            and importlib.util.find_spec(module + ".__main__") is None):
            found.append(f"no runnable module {module}")
    elif program == "make":
        found += [f"no make target {t}" for t in args if t not in MAKE_TARGETS]
    elif program == "curl":
        data = dict(value.split("=", 1) for value in option_values(args, "-d"))
        if "spider" in data and data["spider"] not in spiders:
            found.append(f"no spider {data['spider']!r}")
        if "setting" in data and data["setting"].split("=", 1)[0] not in SETTINGS:
            found.append(f"no setting {data['setting']}")
    elif program not in SCRIPTS | OTHER_PROGRAMS:
        found.append(f"unknown program {program!r}")
    return found


def test_the_docs_have_examples():
    assert len(EXAMPLES) > 20
    assert any(e.doc == "README.md" and "crawl notices -a start_url=" in e.line for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_names_what_exists(example):
    assert problems(example) == []


def test_a_wrong_name_is_found():
    page = Example("x.md", "", frozenset())
    for line, problem in [
        (".venv/bin/scrapy check-sites --sites jiande_jw,qinan_gov", "no site 'jiande_jw'"),
        (".venv/bin/scrapy crawl jingxan -O out.jsonl", "no spider 'jingxan'"),
        ("scrapy crawl notices -s NOTICES_BROWSR=1", "no setting NOTICES_BROWSR"),
        ("make tests", "no make target tests"),
        (".venv/bin/python -m pipelines.nothing", "no runnable module pipelines.nothing"),
    ]:
        page.line = line
        assert problems(page) == [problem]


PROJECT_COMMANDS = {"check-sites", "seed", "reparse"}


def help_command(words: list[str]) -> tuple[str, ...] | None:
    """`--help` of the project command, console script or module an example runs, if any."""
    program = Path(words[0]).name
    if program in SCRIPTS:
        return (str(Path(sys.executable).with_name(program)), "--help")
    if program == "scrapy" and words[1] in PROJECT_COMMANDS:
        return (sys.executable, "-m", "scrapy", words[1], "--help")
    if program == "python":
        module = words[words.index("-m") + 1]
        # pipelines.corpus takes the tool's name first (export, duplicates, overview)
        tool = words[words.index("-m") + 2:][:1] if module == "pipelines.corpus" else []
        return (sys.executable, "-m", module, *tool, "--help")
    return None


HELP_COMMANDS = sorted({command for e in EXAMPLES
                        if (command := help_command(shlex.split(e.line))) is not None})


@pytest.mark.parametrize("command", HELP_COMMANDS,
                         ids=lambda c: " ".join([Path(c[0]).name, *c[1:]]))
def test_example_command_starts(command):
    """The project's commands shown in the docs start and print their usage."""
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout.lower()
