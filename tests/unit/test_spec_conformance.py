"""The validator against the conformance bundles (conformance/bundles): no valid case is refused, and every
invalid case that is a validation matter is refused naming the field the case expects."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from typing import Any

import pytest

from pyrunc.errors import ConfigError
from pyrunc.spec.validate import validate_config

RUNNER = pathlib.Path(__file__).resolve().parents[2] / "conformance" / "run_bundles.py"
NAMES = {"BUNDLE": "/tmp/b", "ROOTFS": "/tmp/b/rootfs", "ID": "c1", "NETNS": "/proc/1/ns/net"}


def _cases() -> list[Any]:
    if not RUNNER.exists():
        return []
    spec = importlib.util.spec_from_file_location("run_bundles", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("run_bundles", module)  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return [(case, module.substitute(case.config(), NAMES)) for case in module.load_cases()]


CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"{RUNNER} is not in this checkout")
@pytest.mark.parametrize(("case", "cfg"), CASES, ids=[c.name for c, _ in CASES])
def test_conformance_case(case: Any, cfg: dict[str, Any]) -> None:
    expect = case.for_runtime("pyrunc")
    try:
        validate_config(cfg)
    except ConfigError as exc:
        assert expect.get("mode", "run") == "invalid", f"valid case refused: {exc}"
        pointer = expect.get("error_pointer")
        assert not pointer or pointer in str(exc), exc
        words = expect.get("error_any", [])
        assert not words or any(w.lower() in str(exc).lower() for w in words), exc
