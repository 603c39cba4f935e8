"""Run the cgroup v2 tests inside the qemu guest (tests/vm/run.py); fail if any fails or if none ran.

The host is hybrid, so tests marked `cgroupv2` skip here; this test boots a pure cgroup v2 kernel and
runs them there. It skips, saying why, only when the guest cannot be booted on this machine.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
# CI's whole budget is 40 minutes; the guest run gets at most 12 of them, boot included.
BUDGET = float(os.environ.get("PYRUNC_VM_TIMEOUT", "690"))
# pyrunc's own cgroup v2 tests, and the harness's proof with runc next to them.
SELECTION = ["tests/integration", "tests/vm/test_guest_sanity.py"]

pytestmark = pytest.mark.slow


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pyrunc_vm_run", HERE / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _summary(output: str) -> str:
    """pytest's closing line, e.g. '12 passed, 3 skipped in 80.1s', or '' when there is none."""
    found = re.findall(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s", output, re.M)
    return found[-1] if found else ""


def _passed_in(output: str, prefix: str) -> int:
    """How many tests under prefix pytest -v reported as PASSED."""
    return len(re.findall(rf"^{re.escape(prefix)}\S*::\S+ PASSED", output, re.M))


def test_summary_parsing() -> None:
    out = "x\n===== 3 passed, 1 skipped in 11.35s =====\n"
    assert _summary(out) == "3 passed, 1 skipped"
    assert _summary("2 failed, 1 passed in 1.0s\n") == "2 failed, 1 passed"
    assert _summary("no tests ran in 0.5s\n") == ""
    verbose = "tests/integration/test_a.py::test_x PASSED  [ 50%]\ntests/vm/t.py::test_y PASSED [100%]\n"
    assert _passed_in(verbose, "tests/integration/") == 1
    assert _passed_in("tests/integration/test_a.py::test_x SKIPPED (why)\n", "tests/integration/") == 0


def test_cgroupv2_tests_pass_in_guest() -> None:
    if os.environ.get("PYRUNC_IN_GUEST"):
        pytest.skip("already inside the guest")
    vm = _harness()
    reason = vm.check()
    if reason is not None:
        pytest.skip(f"the qemu cgroup v2 guest cannot run here: {reason}")
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-m",
        "cgroupv2",
        "-v",
        "-rfEs",
        *SELECTION,
    ]
    status, output = vm.run(argv, timeout=BUDGET, cwd=str(REPO))
    tail = "\n".join(output.splitlines()[-60:])
    assert status != vm.EXIT_TIMEOUT, f"the guest run took longer than {BUDGET:.0f}s:\n{tail}"
    assert status != vm.EXIT_VM_FAILED, f"the guest did not report the tests' status:\n{tail}"
    assert status == 0, f"cgroupv2 tests failed in the guest (pytest exit {status}):\n{tail}"
    summary = _summary(output)
    print(f"guest: {summary}")
    # The harness's own proof passing is not enough: pyrunc's tests must have run too.
    assert _passed_in(output, "tests/vm/test_guest_sanity.py") > 0, (
        f"the guest sanity tests did not run:\n{tail}"
    )
    assert _passed_in(output, "tests/integration/") > 0, (
        f"no pyrunc cgroupv2 test passed in the guest ({summary!r})"
    )
