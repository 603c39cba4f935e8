"""benchmarks/bench.py works end to end against pyrunc alone (N=2). Structure only: benchmarks are never
timed assertions."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks" / "bench.py"


def _pyrunc() -> str | None:
    return shutil.which("pyrunc")


@pytest.mark.skipif(os.geteuid() != 0, reason="bench.py creates real containers: needs root")
@pytest.mark.skipif(not os.path.exists("/bin/busybox"), reason="busybox-static is not installed")
@pytest.mark.skipif(
    _pyrunc() is None, reason="no `pyrunc` launcher on PATH (python3 -m pyrunc.launcher install)"
)
def test_bench_runs_against_pyrunc(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "-n",
            "2",
            "--runtimes",
            "pyrunc",
            "--list-count",
            "3",
            "--rss-rounds",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["left_behind"] == []
    assert res["rounds"] == 2
    assert list(res["runtimes"]) == ["pyrunc"]
    assert res["runtimes"]["pyrunc"]["create_ok"] is True
    expected = {
        "run",
        "lifecycle",
        "create",
        "start",
        "state",
        "kill",
        "delete",
        "delete_force",
        "list",
        "run_seccomp",
        "init_pss",
        "init_uss",
    }
    assert set(res["ops"]) == expected
    for op, entry in res["ops"].items():
        d = entry["by"]["pyrunc"]
        assert d["n"] == 2, op
        assert 0 < d["p10"] <= d["median"] <= d["p90"], op
        # no other runtime ran: no ratios, no goal verdicts
        assert not any(k.startswith(("vs_", "pass_")) for k in entry), op
    # peak RSS came from the GNU time round, for commands that ran under it
    if shutil.which("time") or os.path.exists("/usr/bin/time"):
        assert res["ops"]["state"]["by"]["pyrunc"]["peak_rss_mib"] > 0
    assert "pyrunc" in proc.stdout and "run /bin/true" in proc.stdout


CRUN = "/usr/bin/crun"


@pytest.mark.skipif(os.geteuid() != 0, reason="bench.py creates real containers: needs root")
@pytest.mark.skipif(not os.path.exists("/bin/busybox"), reason="busybox-static is not installed")
@pytest.mark.skipif(not os.access(CRUN, os.X_OK), reason=f"crun is not installed at {CRUN}")
@pytest.mark.skipif(
    _pyrunc() is None, reason="no `pyrunc` launcher on PATH (python3 -m pyrunc.launcher install)"
)
def test_bench_crun_makes_v1_cgroups_and_leaves_none(tmp_path: pathlib.Path) -> None:
    """crun's default mode: containers get their cgroups (checked by bench.py's own probe from the host's
    side), the runtime's delete removes them, and the run leaves nothing."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "-n",
            "1",
            "--runtimes",
            "crun",
            "--ops",
            "run,create,delete_force,list",
            "--list-count",
            "3",
            "--rss-rounds",
            "0",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["left_behind"] == []
    assert res["cgroups_left_by_delete"] == {}
    info = res["runtimes"]["crun"]
    assert info["create_ok"] is True, info["note"]
    if res["machine"]["cgroups"] == "hybrid":
        assert info["note"].startswith("crun in a private mount namespace with a legacy (v1-only) view"), (
            info["note"]
        )
    else:  # crun takes this host's cgroups as they are
        assert info["note"].startswith("crun --cgroup-manager=cgroupfs on this host"), info["note"]
    assert {"run", "create", "delete_force", "list"} <= set(res["ops"])
