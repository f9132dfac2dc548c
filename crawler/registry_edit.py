"""In-place edits of the registry file: new values for a site's top-level string keys.

The TOML text is edited line by line, so comments, key order, alignment and line endings stay
as they were; the edited text is parsed again and must differ from the old one in exactly the
requested values, or nothing is written.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from pathlib import Path

from crawler.registry import RegistryError

logger = logging.getLogger(__name__)

_SITE_HEADER_RE = re.compile(r"^\s*\[\[\s*site\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER_RE = re.compile(r"^\s*\[")
_VALUE = r"(\"[^\"\n]*\"|'[^'\n]*'|\d{4}-\d{2}-\d{2})"


def _key_re(key: str) -> re.Pattern[str]:
    return re.compile(rf"^(\s*{re.escape(key)}\s*=\s*){_VALUE}(.*)$", re.S)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _site_heads(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line ranges of each `[[site]]` table's own keys (before any sub-table)."""
    heads = []
    for index, line in enumerate(lines):
        if _SITE_HEADER_RE.match(line):
            end = next((j for j in range(index + 1, len(lines))
                        if _TABLE_HEADER_RE.match(lines[j])), len(lines))
            heads.append((index + 1, end))
    return heads


def edit_sites(text: str, updates: dict[str, dict[str, str]]) -> str:
    """The registry text with `updates` ({site id: {key: string value}}) applied in place.

    A key the entry lacks is added after its `id` line. Raises RegistryError for an unknown
    id, or when the edit would change anything but the requested values."""
    lines = text.splitlines(keepends=True)
    id_re = _key_re("id")
    pending = {site_id: dict(values) for site_id, values in updates.items() if values}
    for first, end in reversed(_site_heads(lines)):
        id_line = next((i for i in range(first, end) if id_re.match(lines[i])), None)
        if id_line is None:
            continue
        site_id = tomllib.loads(f"id = {id_re.match(lines[id_line]).group(2)}")["id"]
        for key, value in pending.pop(site_id, {}).items():
            key_re = _key_re(key)
            at = next((i for i in range(first, end) if key_re.match(lines[i])), None)
            if at is None:
                ending = lines[id_line][len(lines[id_line].rstrip("\r\n")):] or "\n"
                lines.insert(id_line + 1, f"{key} = {_toml_string(value)}{ending}")
            else:
                match = key_re.match(lines[at])
                lines[at] = f"{match.group(1)}{_toml_string(value)}{match.group(3)}"
    if pending:
        raise RegistryError(f"no [[site]] entry with id {', '.join(sorted(pending))}")
    edited = "".join(lines)
    _check_only_values_changed(text, edited, updates)
    return edited


def _check_only_values_changed(old: str, new: str, updates: dict[str, dict[str, str]]) -> None:
    expected = tomllib.loads(old)
    for site in expected.get("site", []):
        site.update(updates.get(site.get("id"), {}))
    try:
        same = tomllib.loads(new) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise RegistryError("editing the registry in place would change more than the "
                            "requested values; nothing written")


def update_registry_file(path: str | Path, updates: dict[str, dict[str, str]]) -> None:
    """Apply `updates` to the registry file in place (written whole, in one rename)."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as fh:
        text = fh.read()
    edited = edit_sites(text, updates)
    if edited == text:
        return
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with part.open("w", encoding="utf-8", newline="") as fh:
        fh.write(edited)
    part.replace(path)
    logger.info("updated %d entries of %s", len(updates), path)
