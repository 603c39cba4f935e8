"""Shared pieces of the attack tests (tests/integration/test_attack_*.py); no tests of its own.

- `open_dir()`: a directory a remapped root (user namespaces) may traverse; pytest's tmp dirs are 0700.
- `build_static(source, dest)`: a small static C helper compiled with gcc -static.
- `bind(cfg, source, dest, ro)`: add a bind mount to a config.
- `ablated_runtime(dest, edits)`: a copy of this checkout whose C core is rebuilt with a defence removed,
  and a launcher script for it. The attack tests run the same attack against it to show the defence is
  what stops the attack (and not something else on the way).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile

from tests.conftest import ROOT

PYTHON = sys.executable


def open_dir(prefix: str) -> pathlib.Path:
    path = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)
    return path


def build_static(source: str, dest: pathlib.Path, *extra: str) -> pathlib.Path:
    """Compile C source into a static binary at dest (gcc is installed: the probe needs it too)."""
    src = dest.with_suffix(".c")
    src.write_text(source)
    subprocess.run(
        ["gcc", "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o", str(dest), str(src), *extra],
        check=True,
        capture_output=True,
    )
    src.unlink()
    return dest


def bind(cfg: dict, source: str | os.PathLike, dest: str, ro: bool = False) -> None:
    options = ["rbind", "ro" if ro else "rw"]
    cfg.setdefault("mounts", []).append(
        {"destination": dest, "type": "bind", "source": str(source), "options": options}
    )


def host_mounts_under(path: str | os.PathLike) -> list[str]:
    prefix = str(path).rstrip("/") + "/"
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    return [p for p in points if p.startswith(prefix) or p == prefix[:-1]]


def ablated_runtime(
    dest: pathlib.Path, edits: dict[str, list[tuple[str, str]]], *, in_process_init: bool = True
) -> pathlib.Path:
    """Copy the checkout's Python package and C core to dest, apply the text edits ({file: [(old, new)]},
    each `old` must occur), rebuild the C core in place there, and return an executable launcher.
    in_process_init=False keeps pyrunc-init (the default path of a real install)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("setup.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "csrc", dest / "csrc")
    shutil.copytree(ROOT / "pyrunc", dest / "pyrunc", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    for rel, pairs in edits.items():
        path = dest / rel
        text = path.read_text()
        for old, new in pairs:
            assert old in text, f"ablation: {old!r} is no longer in {rel}; update the test"
            text = text.replace(old, new)
        path.write_text(text)
    subprocess.run(
        [PYTHON, "setup.py", "-q", "build_ext", "--inplace"], cwd=dest, check=True, capture_output=True
    )
    import _cffi_backend

    paths = [str(dest), os.path.dirname(_cffi_backend.__file__)]
    launcher = dest / "pyrunc-ablated"
    code = (
        f"import sys; sys.path[:0] = {paths!r}; "
        "from pyrunc.cli.main import entry; sys.argv[0] = 'pyrunc'; entry()"
    )
    # The ablations remove defences of the in-process init (spawn.c's stage_child / pr_stage_init); by
    # default the init re-execs pyrunc-init from a sealed memfd, which would hide what they remove.
    env = "PYRUNC_INPROCESS_INIT=1 " if in_process_init else ""
    launcher.write_text(f'#!/bin/sh\n{env}exec {PYTHON} -I -S -c "{code}" "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return launcher
