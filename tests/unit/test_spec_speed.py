"""Validation speed: the fast path stays far below jsonschema's cost (figures in docs/validation.md).

Run as a script to print the table for docs/validation.md:
    /root/.pyenv/versions/3.11.7/bin/python3.11 tests/unit/test_spec_speed.py
"""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import sys
import time
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENGINE_CONFIGS = ROOT.parent / "shared" / "engine-configs"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pyrunc.spec import fastcheck, reference, semantic  # noqa: E402
from pyrunc.spec.validate import validate_config  # noqa: E402


def engine_configs() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(ENGINE_CONFIGS.glob("*.json"))}


def big_config(target: int = 70_000) -> dict[str, Any]:
    """Podman's config grown to ~70 KB: its seccomp rules repeated, plus a copy of the profile in an
    annotation (as some tools stash the profile they applied)."""
    cfg = copy.deepcopy(engine_configs()["podman"])
    rules = cfg["linux"]["seccomp"]["syscalls"]
    cfg["annotations"]["io.example.seccomp-profile"] = json.dumps(cfg["linux"]["seccomp"])
    while len(json.dumps(cfg)) < target:
        rules.extend(copy.deepcopy(rules[: max(1, min(len(rules), 8))]))
    return cfg


def per_call(func: Any, *args: Any, rounds: int = 200) -> float:
    """Best-of-5 mean seconds per call."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            func(*args)
        best = min(best, (time.perf_counter() - start) / rounds)
    return best


def import_cost(module: str) -> float:
    """Seconds a fresh interpreter spends importing `module` and its imports (-X importtime, best of 5)."""
    best = float("inf")
    for _ in range(5):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stderr
        last = [ln for ln in err.splitlines() if ln.rstrip().endswith(" " + module)][-1]
        best = min(best, int(last.split("|")[1]) / 1e6)
    return best


def test_engine_configs_validate_in_a_few_milliseconds() -> None:
    configs = engine_configs()
    if not configs:
        pytest.skip(f"no engine configs in {ENGINE_CONFIGS}")
    for name, cfg in configs.items():
        assert per_call(validate_config, cfg, rounds=50) < 0.005, name


def test_big_config_validates_far_faster_than_jsonschema() -> None:
    if not engine_configs():
        pytest.skip(f"no engine configs in {ENGINE_CONFIGS}")
    cfg = big_config()
    assert len(json.dumps(cfg)) >= 70_000
    ours = per_call(validate_config, cfg, rounds=20)
    theirs = per_call(reference.errors, cfg, rounds=3)
    assert ours < 0.010
    assert ours * 5 < theirs, (ours, theirs)


def test_validate_module_imports_cheaply() -> None:
    assert import_cost("pyrunc.spec.validate") < 0.030


def main() -> None:
    rows = []
    cases = dict(engine_configs())
    cases["podman, grown to 70 KB"] = big_config()
    for name, cfg in cases.items():
        size = len(json.dumps(cfg))
        fast = per_call(fastcheck.check, "config", cfg)
        sem = per_call(semantic.check_config, cfg)
        total = per_call(validate_config, cfg)
        ref = per_call(reference.errors, cfg, rounds=10)
        rows.append((name, size, fast, sem, total, ref))
    print("| config | bytes | fast schema check | semantic checks | validate_config | jsonschema (warm) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, fast, sem, total, ref in rows:
        print(
            f"| {name} | {size} | {fast * 1e3:.3f} ms | {sem * 1e3:.3f} ms | {total * 1e3:.3f} ms "
            f"| {ref * 1e3:.1f} ms |"
        )
    print()
    print(
        f"import pyrunc.spec.validate: {import_cost('pyrunc.spec.validate') * 1e3:.1f} ms; "
        f"import jsonschema: {import_cost('jsonschema') * 1e3:.1f} ms"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from pyrunc.spec import reference; reference.errors({}, 'config')"],
        check=True,
        cwd=ROOT,
    )
    print(f"cold process running one jsonschema validation: {(time.perf_counter() - start) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
