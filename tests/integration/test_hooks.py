"""hooks: all six at their moments and in their namespaces, with the state on stdin, args, env, timeouts,
failures (undone, or only warned about for poststop) and Docker's /proc/<pid>/exe prestart hook."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

HOST_KINDS = ("prestart", "createRuntime", "poststart", "poststop")
CONTAINER_KINDS = ("createContainer", "startContainer")
INSIDE = "/tmp"  # where the container sees the record directory (a bind mount of it)

RECORDER = """#!/bin/sh
d="$1"; k="$2"
cat > "$d/$k.state"
echo "$@" > "$d/$k.args"
env > "$d/$k.env"
readlink /proc/self/ns/mnt > "$d/$k.mnt"
readlink /proc/self/ns/pid > "$d/$k.pidns"
echo "$k" >> "$d/log"
"""


def write_script(path: pathlib.Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def host_ns(name: str) -> str:
    return os.readlink(f"/proc/self/ns/{name}")


def hook(path: str, *args: str, env: list[str] | None = None, timeout: int | None = None) -> dict:
    entry: dict = {"path": path, "args": [path, *args], "env": env or ["PATH=/usr/bin:/bin"]}
    if timeout is not None:
        entry["timeout"] = timeout
    return entry


def read_log(d: pathlib.Path) -> list[str]:
    return (d / "log").read_text().split() if (d / "log").exists() else []


def wait_for(predicate, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def records(tmp_path):
    d = tmp_path / "records"
    d.mkdir()
    os.chmod(d, 0o777)
    return d


def recording_hooks(tmp_path: pathlib.Path, records: pathlib.Path) -> dict:
    # In the records directory, so the container sees it too: startContainer paths resolve in the
    # container (runtime-spec; runc), the others in the runtime's namespace.
    script = write_script(records / "recorder.sh", RECORDER)
    hooks = {
        kind: [hook(script, str(records), kind, env=["PATH=/usr/bin:/bin", f"HOOK_KIND={kind}"])]
        for kind in HOST_KINDS
    }
    hooks["createContainer"] = [
        hook(script, str(records), "createContainer", env=["PATH=/usr/bin:/bin", "HOOK_KIND=createContainer"])
    ]
    hooks["startContainer"] = [
        hook(f"{INSIDE}/recorder.sh", INSIDE, "startContainer", env=["PATH=/bin", "HOOK_KIND=startContainer"])
    ]
    return hooks


def bind_records(cfg: dict, records: pathlib.Path) -> None:
    cfg["mounts"].append(
        {"destination": INSIDE, "type": "bind", "source": str(records), "options": ["rbind", "rw"]}
    )


def test_all_six_hooks_at_their_moments(rt, tmp_path, records):
    def mutate(cfg):
        cfg["hooks"] = recording_hooks(tmp_path, records)
        cfg["annotations"] = {"org.example.key": "value"}
        bind_records(cfg, records)

    bundle = rt.bundle(["/bin/sh", "-c", f"echo process >> {INSIDE}/log; exec sleep 60"], mutate=mutate)
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    pid = rt.state(cid)["pid"]
    assert read_log(records) == ["prestart", "createRuntime", "createContainer"]
    rt("start", cid, check=True)
    # start returns after poststart, and startContainer ran before the user's process.
    log = read_log(records)
    assert log[:4] == ["prestart", "createRuntime", "createContainer", "startContainer"]
    assert "poststart" in log
    assert wait_for(lambda: "process" in read_log(records))
    assert "poststop" not in read_log(records)
    rt("kill", cid, "KILL", check=True)
    assert wait_for(lambda: rt.state(cid)["status"] == "stopped")
    rt("delete", cid, check=True)
    assert read_log(records)[-1] == "poststop"

    states = {k: json.loads((records / f"{k}.state").read_text()) for k in HOST_KINDS + CONTAINER_KINDS}
    expected = {
        "prestart": "created",
        "createRuntime": "created",
        "createContainer": "created",
        "startContainer": "created",
        "poststart": "running",
        "poststop": "stopped",
    }
    for kind, status in expected.items():
        assert states[kind]["status"] == status, kind
        assert states[kind]["id"] == cid and states[kind]["bundle"] == str(bundle), kind
        assert states[kind]["annotations"] == {"org.example.key": "value"}, kind
        assert states[kind]["ociVersion"]
    # The pid as seen from the hook's own pid namespace.
    for kind in ("prestart", "createRuntime", "poststart"):
        assert states[kind]["pid"] == pid, kind
    for kind in CONTAINER_KINDS:
        assert states[kind]["pid"] == 1, kind

    # Runtime namespace for the parent's hooks, the container's for the other two.
    for kind in HOST_KINDS:
        assert (records / f"{kind}.mnt").read_text().strip() == host_ns("mnt"), kind
        assert (records / f"{kind}.pidns").read_text().strip() == host_ns("pid"), kind
    for kind in CONTAINER_KINDS:
        assert (records / f"{kind}.mnt").read_text().strip() != host_ns("mnt"), kind
        assert (records / f"{kind}.pidns").read_text().strip() != host_ns("pid"), kind
    assert (records / "createContainer.mnt").read_text() == (records / "startContainer.mnt").read_text()

    # args after argv[0], and exactly the env given.
    assert (records / "prestart.args").read_text().split() == [str(records), "prestart"]
    assert (records / "startContainer.args").read_text().split() == [INSIDE, "startContainer"]
    for kind in HOST_KINDS + CONTAINER_KINDS:
        lines = (records / f"{kind}.env").read_text().splitlines()
        env = dict(line.split("=", 1) for line in lines if "=" in line)
        assert env["HOOK_KIND"] == kind
        assert "PYTEST_CURRENT_TEST" not in env, kind


def test_hook_argv0_is_args0(rt, tmp_path, records):
    """args[0] is the hook's argv[0], not necessarily its path (runtime-spec: execv semantics)."""
    out = records / "argv"
    prog = (
        f"import sys; argv = open('/proc/self/cmdline').read().split(chr(0))[:-1]; "
        f"open({str(out)!r}, 'w').write(' '.join(argv))"
    )

    def mutate(cfg):
        cfg["hooks"] = {"prestart": [{"path": sys.executable, "args": ["my-argv0", "-c", prog, "x", "y"]}]}

    assert rt.run_container(["/bin/true"], mutate=mutate).returncode == 0
    assert out.read_text() == f"my-argv0 -c {prog} x y"


def test_run_runs_poststop_after_the_process_exits(rt, tmp_path, records):
    def mutate(cfg):
        cfg["hooks"] = recording_hooks(tmp_path, records)
        bind_records(cfg, records)

    proc = rt.run_container(["/bin/sh", "-c", f"echo process >> {INSIDE}/log"], mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    log = read_log(records)
    # poststart runs once the process has been executed: after startContainer, never before it.
    assert log[:4] == ["prestart", "createRuntime", "createContainer", "startContainer"]
    assert log[-1] == "poststop" and "process" in log and "poststart" in log


@pytest.mark.parametrize("kind", ["prestart", "createRuntime", "createContainer"])
def test_failing_create_hook_fails_create_and_undoes_it(rt, tmp_path, kind):
    script = "#!/bin/sh\necho diagnostic-from-hook; echo on-stderr >&2; exit 3\n"
    failing = write_script(tmp_path / "fail.sh", script)

    def mutate(cfg):
        cfg["hooks"] = {kind: [hook(failing)]}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert f"{kind} hook #0" in err and "exit status 3" in err
    assert "diagnostic-from-hook" in err and "on-stderr" in err
    assert not (rt.root / cid).exists()


def test_failed_create_still_runs_poststop(rt, tmp_path, records):
    """runtime-spec: a failing prestart hook ends the lifecycle at delete, so poststop hooks run (and can
    undo what an earlier prestart hook did); runc 1.1.5 does the same."""
    failing = write_script(tmp_path / "fail.sh", "#!/bin/sh\nexit 3\n")
    cleanup = write_script(tmp_path / "cleanup.sh", f"#!/bin/sh\ncat > {records}/poststop.state\n")

    def mutate(cfg):
        cfg["hooks"] = {"prestart": [hook(failing)], "poststop": [hook(cleanup)]}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"prestart hook #0" in proc.stderr
    state = json.loads((records / "poststop.state").read_text())
    assert (state["id"], state["status"], state["bundle"]) == (cid, "stopped", str(bundle))
    assert not (rt.root / cid).exists()


def test_config_error_runs_no_hook(rt, tmp_path, records):
    cleanup = write_script(tmp_path / "cleanup.sh", f"#!/bin/sh\ntouch {records}/ran\n")

    def mutate(cfg):
        cfg["hooks"] = {"poststop": [hook(cleanup)]}
        cfg["linux"]["personality"] = {"domain": "NOPE"}

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode == 1
    assert not (records / "ran").exists()


def test_failing_start_container_hook_fails_start(rt, tmp_path, records):
    """startContainer hooks run in the init after `start` released it; `start` waits for the exec and
    fails when the init died instead (runc's start does not notice). The user's process never runs, the
    container is stopped, and the hook's output reaches the container's stderr."""
    write_script(records / "fail.sh", "#!/bin/sh\necho sc-diagnostic; exit 4\n")

    def mutate(cfg):
        cfg["hooks"] = {"startContainer": [hook(f"{INSIDE}/fail.sh", env=["PATH=/bin"])]}
        bind_records(cfg, records)

    bundle = rt.bundle(["/bin/sh", "-c", f"echo ran > {INSIDE}/ran"], mutate=mutate)
    cid = rt.new_id()
    with open(tmp_path / "stderr", "wb") as sink:
        rt("create", "-b", str(bundle), cid, check=True, stdout=sink, stderr=sink)
    proc = rt("start", cid)
    assert proc.returncode == 1 and b"startContainer hook" in proc.stderr
    assert wait_for(lambda: rt.state(cid)["status"] == "stopped")
    assert not (records / "ran").exists()
    err = (tmp_path / "stderr").read_text()
    assert "startContainer hook #0" in err and "exit status 4" in err and "sc-diagnostic" in err
    rt("delete", cid, check=True)


def test_failing_poststart_is_an_error_and_stops_the_container(rt, tmp_path):
    failing = write_script(tmp_path / "fail.sh", "#!/bin/sh\necho ps-diagnostic; exit 5\n")

    def mutate(cfg):
        cfg["hooks"] = {"poststart": [hook(failing)]}

    bundle = rt.bundle(["/bin/sleep", "60"], mutate=mutate)
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    proc = rt("start", cid)
    assert proc.returncode == 1
    assert b"poststart hook #0" in proc.stderr and b"ps-diagnostic" in proc.stderr
    # runtime-spec 1.3: the container is stopped; delete (no --force needed) finishes the lifecycle.
    assert rt.state(cid)["status"] == "stopped"
    rt("delete", cid, check=True)


def test_failing_poststop_only_warns_and_later_hooks_run(rt, tmp_path, records):
    failing = write_script(tmp_path / "fail.sh", "#!/bin/sh\necho pst-diagnostic; exit 6\n")
    second = write_script(tmp_path / "second.sh", f"#!/bin/sh\ntouch {records}/second-ran\n")

    def mutate(cfg):
        cfg["hooks"] = {"poststop": [hook(failing), hook(second)]}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    assert wait_for(lambda: rt.state(cid)["status"] == "stopped")
    proc = rt("delete", cid)
    assert proc.returncode == 0, proc.stderr
    assert b"pst-diagnostic" in proc.stderr  # the warning names the failure
    assert (records / "second-ran").exists()
    assert not (rt.root / cid).exists()


@pytest.mark.parametrize("kind", ["prestart", "createContainer"])
def test_hook_timeout_kills_it_and_fails_create(rt, tmp_path, records, kind):
    slow = write_script(tmp_path / "slow.sh", f"#!/bin/sh\necho $$ > {records}/{kind}.pid\nexec sleep 30\n")

    def mutate(cfg):
        cfg["hooks"] = {kind: [hook(slow, timeout=1)]}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    started = time.monotonic()
    proc = rt("create", "-b", str(bundle), cid)
    assert time.monotonic() - started < 15
    assert proc.returncode == 1
    assert f"{kind} hook #0".encode() in proc.stderr and b"timed out" in proc.stderr
    assert not (rt.root / cid).exists()
    if kind == "prestart":
        # The hook itself was killed (a host process; the container's ones die with its pid namespace).
        hook_pid = int((records / f"{kind}.pid").read_text())
        assert wait_for(
            lambda: (
                not os.path.exists(f"/proc/{hook_pid}")
                or open(f"/proc/{hook_pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
            )
        )


def test_hook_within_its_timeout_succeeds(rt, tmp_path, records):
    quick = write_script(tmp_path / "quick.sh", f"#!/bin/sh\nsleep 0.2; touch {records}/done\n")

    def mutate(cfg):
        cfg["hooks"] = {"prestart": [hook(quick, timeout=5)]}

    assert rt.run_container(["/bin/true"], mutate=mutate).returncode == 0
    assert (records / "done").exists()


def test_missing_hook_binary_fails_create(rt):
    def mutate(cfg):
        cfg["hooks"] = {"createRuntime": [hook("/no/such/hook")]}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"createRuntime hook #0" in proc.stderr
    assert not (rt.root / cid).exists()


def test_docker_style_prestart_hook_through_proc_pid_exe(rt, tmp_path, records):
    """dockerd sends `/proc/<its pid>/exe libnetwork-setkey -exec-root=... <id> <short id>` as a prestart
    hook, even with --network none. Emulated with a python process standing in for dockerd."""
    out = records / "setkey"
    daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        prog = (
            f"import sys, json; s = json.load(sys.stdin); "
            f"open({str(out)!r}, 'w').write(json.dumps([sys.argv[1:], s['status'], s['pid'], s['id']]))"
        )

        def mutate(cfg):
            cfg["linux"]["namespaces"] = [ns for ns in cfg["linux"]["namespaces"] if ns["type"] != "network"]
            cfg["hooks"] = {
                "prestart": [
                    {
                        "path": f"/proc/{daemon.pid}/exe",
                        "args": [
                            "libnetwork-setkey",
                            "-c",
                            prog,
                            "-exec-root=/var/run/docker",
                            "deadbeef",
                            "dead",
                        ],
                    }
                ]
            }

        bundle = rt.bundle(["/bin/sleep", "60"], mutate=mutate)
        cid = rt.new_id()
        rt("create", "-b", str(bundle), cid, check=True)
        pid = rt.state(cid)["pid"]
        args, status, hook_pid, hook_id = json.loads(out.read_text())
        assert args == ["-exec-root=/var/run/docker", "deadbeef", "dead"]
        assert (status, hook_pid, hook_id) == ("created", pid, cid)
        rt("delete", "--force", cid, check=True)
    finally:
        daemon.kill()
        daemon.wait()


def test_start_container_hook_timeout_fails_start(rt, records):
    write_script(records / "slow.sh", "#!/bin/sh\nexec sleep 30\n")

    def mutate(cfg):
        cfg["hooks"] = {"startContainer": [hook(f"{INSIDE}/slow.sh", env=["PATH=/bin"], timeout=1)]}
        bind_records(cfg, records)

    bundle = rt.bundle(["/bin/sh", "-c", f"echo ran > {INSIDE}/ran"], mutate=mutate)
    cid = rt.new_id()
    with open(records / "stderr", "wb") as sink:
        rt("create", "-b", str(bundle), cid, check=True, stdout=sink, stderr=sink)
    started = time.monotonic()
    proc = rt("start", cid)
    assert time.monotonic() - started < 15
    assert proc.returncode == 1
    assert wait_for(lambda: rt.state(cid)["status"] == "stopped")
    assert not (records / "ran").exists()
    assert "timed out" in (records / "stderr").read_text()
    rt("delete", cid, check=True)
