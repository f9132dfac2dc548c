"""crawler/settings.py: each setting assigned once, so the file shows what is on."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import crawler.settings

SETTINGS_FILE = Path(crawler.settings.__file__)


def assigned_names(source: str) -> list[str]:
    """Upper-case names assigned at module level, once per assignment."""
    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names


def test_each_setting_is_assigned_once():
    counts = Counter(assigned_names(SETTINGS_FILE.read_text(encoding="utf-8")))
    assert counts and {name for name, n in counts.items() if n > 1} == set()


def test_a_second_assignment_is_found():
    source = 'A = {"x": 1}\nB = 2\nA = {**A, "y": 2}\nA |= {"z": 3}\n'
    assert Counter(assigned_names(source))["A"] == 3


def test_every_component_named_in_the_settings_is_importable():
    from scrapy.utils.misc import load_object

    settings = vars(crawler.settings)
    paths = [path for name in ("ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES",
                               "EXTENSIONS", "ADDONS")
             for path, order in settings[name].items() if order is not None]
    paths += [*settings["FEED_STORAGES"].values(), *settings["FEED_EXPORTERS"].values()]
    for path in paths:
        assert callable(load_object(path)), path



def test_the_readme_documents_every_project_setting():
    """Each NOTICES_*/WARC_* setting of crawler/settings.py is named in the README's table."""
    readme = (SETTINGS_FILE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))
    settings = {name for name in assigned_names(SETTINGS_FILE.read_text(encoding="utf-8"))
                if name.startswith(("NOTICES_", "WARC_"))}
    assert settings and settings - documented == set()
