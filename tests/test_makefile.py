"""The Makefile's system checks: each missing part is named in one line when not root.

Real `make` runs on the project's Makefile with a PATH of the test's own making, so that what
is found there is known; as non-root (`AS_ROOT=`) nothing is ever installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(target: str, path: Path, **variables: str) -> subprocess.CompletedProcess:
    venv = Path(sys.prefix)
    args = [MAKE, "-s", "--no-print-directory", "-C", str(REPO), target, "AS_ROOT=",
            f"VENV={venv}", f"PYTHON={sys.executable}", "-o", str(venv / ".installed"),
            *(f"{name}={value}" for name, value in variables.items())]
    return subprocess.run(args, env={"PATH": str(path), "HOME": str(path)},
                          capture_output=True, text=True, timeout=120)


def executable(folder: Path, name: str, script: str = "exit 0") -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_missing_redis_server_is_named_in_one_line(tmp_path):
    result = make("redis-server", tmp_path)
    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert line.startswith("missing: redis-server") and "apt-get install redis-server" in line
    executable(tmp_path, "redis-server")
    assert make("redis-server", tmp_path).returncode == 0


def test_chromium_is_looked_for_under_its_names_on_path(tmp_path):
    result = make("chromium", tmp_path)
    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert line.startswith("missing: Chromium") and "apt-get install chromium" in line
    executable(tmp_path, "chromium-browser")
    found = make("chromium", tmp_path)
    assert found.returncode == 0, found.stderr


def test_python_older_than_3_11_is_named(tmp_path):
    old = executable(tmp_path, "python3.10", "exit 1")  # `sys.version_info < (3, 11)`
    result = make("python", tmp_path, PYTHON=str(old))
    assert result.returncode != 0
    assert "missing: Python >= 3.11" in result.stderr


def test_python_with_venv_support_passes(tmp_path):
    result = make("python", tmp_path)
    assert result.returncode == 0, result.stderr


def test_missing_venv_support_names_its_package(tmp_path):
    # a Python 3.12 without ensurepip, as Debian's python3.12 is without python3.12-venv
    python = executable(tmp_path, "python3.12", 'case "$*" in\n'
                        '  *ensurepip*) exit 1 ;;\n'
                        '  *venv*) echo python3.12-venv ;;\n'
                        'esac')
    result = make("python", tmp_path, PYTHON=str(python))
    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert line == ("missing: venv support for " f"{python}; install it with: "
                    "sudo apt-get install python3.12-venv")
