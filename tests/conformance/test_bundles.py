"""Every scripted bundle case in conformance/bundles/, one test each, against $PYRUNC_BIN.

PYRUNC_BIN defaults to `pyrunc` on PATH. Pointing it at another runtime (PYRUNC_BIN=/usr/sbin/runc) runs
the same cases with that runtime's marks from expect.json (`runtimes.<name>`, the binary's file name or
$PYRUNC_RUNTIME_NAME).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load_runner() -> ModuleType:
    # conformance/ is a directory of scripts, not a package: load the runner by path.
    path = ROOT / "conformance" / "run_bundles.py"
    spec = importlib.util.spec_from_file_location("conformance_run_bundles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


rb = _load_runner()
CASES = rb.load_cases()

pytestmark = [
    pytest.mark.root,
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="bundle cases start real containers and need root"),
]


@pytest.fixture(scope="session")
def runtime() -> object:
    binary = os.environ.get("PYRUNC_BIN") or shutil.which("pyrunc")
    if not binary:
        pytest.skip("no runtime to test: pyrunc is not on PATH and PYRUNC_BIN is not set")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"PYRUNC_BIN={binary} is not an executable file")
    name = os.environ.get("PYRUNC_RUNTIME_NAME") or pathlib.Path(binary).name
    return rb.Runtime(name, os.path.abspath(binary))


@pytest.fixture(scope="session")
def scratch() -> Iterator[pathlib.Path]:
    if not rb.BUSYBOX.exists():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    with tempfile.TemporaryDirectory(prefix="pyrunc-conf-", dir="/var/tmp") as tmp:
        base = pathlib.Path(tmp)
        # User-namespace cases run as a mapped root that must be able to reach the bundles.
        base.chmod(0o755)
        rb.build_rootfs(base / "template-rootfs")
        try:
            yield base
        finally:
            rb.remove_cgroup_parent()


def test_cases_are_well_formed() -> None:
    """Every case names the spec fields it covers and has a mode the runner knows."""
    assert len(CASES) >= 60
    for case in CASES:
        assert case.expect.get("fields"), f"{case.name}: expect.json lists no spec fields"
        assert case.description, f"{case.name}: expect.json has no description"
        case.config()  # the patch applies to the default config


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bundle(case: object, runtime: object, scratch: pathlib.Path) -> None:
    outcome = rb.run_case(case, runtime, scratch / "template-rootfs", scratch)
    if outcome.verdict == "SKIP":
        pytest.skip(outcome.detail)
    if outcome.verdict == "XFAIL":
        pytest.xfail(outcome.detail)
    assert outcome.verdict == "PASS", outcome.detail
