"""`python3 -m pyrunc.launcher install [--python INTERPRETER] PATH`: what it writes and what it refuses."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

DEBIAN_PYTHON = f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"


def install(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyrunc.launcher", "install", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def script_of(target) -> str:
    """The Python launcher script: at target itself, or beside the C front end as target + ".py"."""
    script = f"{target}.py"
    return open(script if os.path.exists(script) else target).read()


def test_default_interpreter_is_the_installing_one(tmp_path):
    target = tmp_path / "pyrunc"
    assert install(str(target)).returncode == 0
    assert script_of(target).startswith(f"#!{os.path.realpath(sys.executable)} -IS\n")
    out = subprocess.run([str(target), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("pyrunc version")


def test_python_option_writes_that_interpreter(tmp_path):
    target = tmp_path / "pyrunc"
    done = install("--python", sys.executable, str(target))
    assert done.returncode == 0, done.stderr
    assert script_of(target).startswith(f"#!{os.path.realpath(sys.executable)} -IS\n")


@pytest.mark.parametrize("interpreter", ["/bin/true", "/no/such/python"])
def test_an_interpreter_that_cannot_run_pyrunc_is_refused(tmp_path, interpreter):
    target = tmp_path / "pyrunc"
    done = install("--python", interpreter, str(target))
    assert done.returncode == 1
    assert done.stderr.startswith("pyrunc.launcher: ") and "cannot run this installation" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists(DEBIAN_PYTHON), reason=f"no {DEBIAN_PYTHON} on this machine")
def test_the_distribution_interpreter_runs_the_installed_pyrunc(tmp_path):
    target = tmp_path / "pyrunc"
    done = install("--python", DEBIAN_PYTHON, str(target))
    assert done.returncode == 0, done.stderr
    out = subprocess.run([str(target), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    version = ".".join(map(str, sys.version_info[:2]))
    assert f"python: {version}." in out.stdout
