"""The C front end (csrc/front/, docs/front.md) against the Python CLI it stands in for.

Every container here is real (busybox rootfs, namespaces, cgroups under the session's parent). The front
end is installed the way users get it (`pyrunc.launcher install PATH`: the binary at PATH, the Python CLI
at PATH.py). PYRUNC_FRONT=0 forces the Python path; PYRUNC_FRONT_DEBUG=1 makes every hand-over to Python
say why on stderr, so "served by C" is observable as an empty stderr.
"""

from __future__ import annotations

import fcntl
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

FALLBACK = b"pyrunc-front: fallback: "


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> str:
    from pyrunc import launcher

    if not os.path.isfile(launcher.FRONT_BINARY):
        pytest.fail(f"{launcher.FRONT_BINARY} is missing: build it with "
                    f"`{sys.executable} setup.py build_ext --inplace`")
    target = tmp_path_factory.mktemp("front") / "pyrunc"
    assert launcher.install(str(target))
    assert (target.parent / "pyrunc.py").read_text().startswith("#!")
    return str(target)


@pytest.fixture
def frt(rt, front, monkeypatch):
    """The integration runtime with the front end as `pyrunc` (create and the rest fall back to Python)."""
    monkeypatch.setenv("PYRUNC_BIN", front)
    yield rt
    for cid in rt.ids:  # each test's containers go here; the rt fixture then checks nothing is left
        if (rt.root / cid).exists():
            rt("delete", "--force", cid, env=PYTHON)


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("PYRUNC_FRONT")}
    out.update(extra)
    return out


SERVED = env(PYRUNC_FRONT_DEBUG="1")
PYTHON = env(PYRUNC_FRONT="0")


def served(proc: subprocess.CompletedProcess) -> bool:
    return FALLBACK not in proc.stderr


def make(frt, args: list[str] | None = None, *, mutate=None, own_rootfs: bool = False) -> str:
    bundle = frt.bundle(args or ["/bin/sleep", "1000"], mutate=mutate, own_rootfs=own_rootfs)
    cid = frt.new_id()
    frt("create", "--bundle", str(bundle), cid, check=True)
    return cid


def status(frt, cid: str) -> str:
    return json.loads(frt("state", cid, env=PYTHON, check=True).stdout)["status"]


def wait_stopped(frt, cid: str) -> None:
    deadline = time.monotonic() + 10
    while status(frt, cid) != "stopped":
        assert time.monotonic() < deadline, "the container did not stop"
        time.sleep(0.02)


def stopped(frt) -> str:
    cid = make(frt)
    frt("start", cid, env=PYTHON, check=True)
    frt("kill", cid, "KILL", env=PYTHON, check=True)
    wait_stopped(frt, cid)
    return cid


def assert_same_state(frt, cid: str, want: str) -> None:
    fast = frt("state", cid, env=SERVED)
    slow = frt("state", cid, env=PYTHON)
    assert fast.returncode == slow.returncode == 0, (fast.stderr, slow.stderr)
    assert fast.stderr == b"", fast.stderr  # served by C, nothing said
    assert fast.stdout == slow.stdout
    assert json.loads(fast.stdout)["status"] == want


# --- served by the front end ----------------------------------------------------------------------

def test_state_byte_identical_in_every_status(frt):
    cid = make(frt)
    assert_same_state(frt, cid, "created")
    frt("start", cid, env=PYTHON, check=True)
    assert_same_state(frt, cid, "running")
    frt("pause", cid, check=True)
    assert_same_state(frt, cid, "paused")
    frt("resume", cid, check=True)
    assert_same_state(frt, cid, "running")
    frt("kill", cid, "KILL", env=PYTHON, check=True)
    wait_stopped(frt, cid)
    assert_same_state(frt, cid, "stopped")
    frt("delete", cid, env=PYTHON, check=True)


def test_state_with_annotations_and_odd_bytes(frt):
    def annotate(cfg):
        cfg["annotations"] = {"a\"b": "caf\u00e9 \\ \n \u2603", "org.example/key": "x" * 3000}

    cid = make(frt, mutate=annotate)
    assert_same_state(frt, cid, "created")


def test_start_served_then_running(frt):
    cid = make(frt)
    proc = frt("start", cid, env=SERVED)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", b"")
    assert not (frt.root / cid / "exec.fifo").exists()
    assert status(frt, cid) == "running"


def failing_start_hook(cfg: dict) -> None:
    cfg["hooks"] = {"startContainer": [{"path": "/bin/false"}]}


def test_start_failure_reports_like_python(frt, tmp_path):
    """The init exits instead of running the process (a failing startContainer hook): past the point of no
    return, the front end reports itself, as Python would."""
    results = []
    for which in (SERVED, PYTHON):
        cid = make(frt, mutate=failing_start_hook)
        log = tmp_path / f"log-{len(results)}.json"
        proc = frt("--log", str(log), "--log-format", "json", "start", cid, env=which)
        line = json.loads(log.read_text().splitlines()[-1])
        results.append((proc.returncode, proc.stderr.replace(cid.encode(), b"ID"), line["level"],
                        line["msg"].replace(cid, "ID"), sorted(line)))
        assert served(proc)
    assert results[0] == results[1]
    assert results[0][0] == 1 and b"the init exited before running the process" in results[0][1]


def test_start_failure_text_log(frt, tmp_path):
    import re

    lines = []
    for which in (SERVED, PYTHON):
        cid = make(frt, mutate=failing_start_hook)
        log = tmp_path / f"log-{len(lines)}.txt"
        proc = frt("--log=" + str(log), "start", cid, env=which)
        assert proc.returncode == 1
        lines.append(re.sub(r'^time="[0-9T:.-]+Z" ', "", log.read_text().replace(cid, "ID")))
    assert lines[0] == lines[1] and lines[0].startswith('level=error msg="container ID: the init exited')


def test_kill_served_with_names_and_numbers(frt):
    for sig in ("9", "KILL", "SIGKILL", "sigkill"):
        cid = make(frt)
        frt("start", cid, env=PYTHON, check=True)
        proc = frt("kill", cid, sig, env=SERVED)
        assert (proc.returncode, proc.stderr) == (0, b""), sig
        wait_stopped(frt, cid)
        frt("delete", cid, env=PYTHON, check=True)
    # A pid-namespace init without handlers ignores these: what counts is that they are sent, served.
    cid = make(frt)
    frt("start", cid, env=PYTHON, check=True)
    for sig in ("RTMIN+2", "SIGRTMAX-1", "rtmin", "term", "15", "usr1", "SIGWINCH", "64"):
        proc = frt("kill", cid, sig, env=SERVED)
        assert (proc.returncode, proc.stderr) == (0, b""), sig


def test_kill_created_container(frt):
    cid = make(frt)
    proc = frt("kill", cid, "KILL", env=SERVED)
    assert (proc.returncode, proc.stderr) == (0, b"")
    wait_stopped(frt, cid)


def test_kill_default_signal_is_term(frt):
    cid = make(frt, ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"])
    frt("start", cid, env=PYTHON, check=True)
    time.sleep(0.3)
    proc = frt("kill", cid, env=SERVED)
    assert (proc.returncode, proc.stderr) == (0, b"")
    wait_stopped(frt, cid)


def test_delete_stopped_removes_everything(frt):
    cid = stopped(frt)
    cgroups = [d for d in pathlib.Path("/sys/fs/cgroup").glob(f"*/{cid_parent(frt)}/*") if d.is_dir()]
    proc = frt("delete", cid, env=SERVED)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert not (frt.root / cid).exists()
    assert not [d for d in cgroups if d.exists()]
    # (the rt fixture also checks that no cgroup or mount is left behind)


def cid_parent(frt) -> str:
    from tests.integration.conftest import CGROUP_PARENT

    return CGROUP_PARENT


def test_delete_force_of_stopped_is_served(frt):
    cid = stopped(frt)
    proc = frt("delete", "-f", cid, env=SERVED)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert not (frt.root / cid).exists()


@pytest.mark.parametrize("spelling", [["--root", "{root}"], ["--root={root}"], ["-root", "{root}"],
                                      ["---root", "{root}"], ["--log-format", "json", "--root", "{root}"],
                                      ["--systemd-cgroup=false", "--root", "{root}"]])
def test_global_flag_spellings(frt, front, spelling):
    cid = make(frt)
    argv = [front] + [s.format(root=frt.root) for s in spelling] + ["state", cid]
    proc = subprocess.run(argv, capture_output=True, env=SERVED)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert json.loads(proc.stdout)["id"] == cid


def test_relative_root_is_made_absolute(frt, front):
    cid = make(frt)
    rel = os.path.relpath(frt.root, frt.work)
    proc = subprocess.run([front, "--root", f"./{rel}/../{frt.root.name}", "state", cid], capture_output=True,
                          env=SERVED, cwd=frt.work)
    assert (proc.returncode, proc.stderr) == (0, b"")


def test_start_takes_the_container_lock(frt):
    cid = make(frt)
    fd = os.open(frt.root / cid, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = subprocess.Popen([os.environ["PYRUNC_BIN"], "--root", str(frt.root), "start", cid],
                                env=SERVED, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        assert proc.poll() is None, "start did not wait for the lock"
        assert status(frt, cid) == "created"
    finally:
        os.close(fd)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None and proc.stderr.read() == b""
    assert status(frt, cid) == "running"


# --- handed over to Python --------------------------------------------------------------------------

def both(frt, *args: str, prepare=None) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """Run a command the front end must hand over: once through it, once forced to Python, on twin
    containers made by prepare(); returns (front, python) with the ids replaced by ID."""
    out = []
    for which in (SERVED, PYTHON):
        cid = prepare(frt) if prepare else "nosuch"
        argv = [a.replace("ID", cid) for a in args]
        proc = frt(*argv, env=which)
        proc.stderr = proc.stderr.replace(cid.encode(), b"ID")
        proc.stdout = proc.stdout.replace(cid.encode(), b"ID")
        out.append(proc)
    return out[0], out[1]


def assert_fell_back(fast, slow, reason: bytes) -> None:
    first, _, rest = fast.stderr.partition(b"\n")
    assert first.startswith(FALLBACK) and reason in first, fast.stderr
    assert (fast.returncode, rest, fast.stdout) == (slow.returncode, slow.stderr, slow.stdout)


def running(frt) -> str:
    cid = make(frt)
    frt("start", cid, env=PYTHON, check=True)
    return cid


def test_kill_of_stopped_falls_back(frt):
    fast, slow = both(frt, "kill", "ID", "KILL", prepare=stopped)
    assert_fell_back(fast, slow, b"stopped")
    assert slow.returncode == 1 and b"not running" in slow.stderr


def test_start_of_running_falls_back(frt):
    fast, slow = both(frt, "start", "ID", prepare=running)
    assert_fell_back(fast, slow, b"not created")
    assert b"already running" in slow.stderr


def test_delete_of_running_falls_back(frt):
    fast, slow = both(frt, "delete", "ID", prepare=running)
    assert_fell_back(fast, slow, b"not stopped")
    assert slow.returncode == 1




def test_kill_all_falls_back(frt):
    fast, slow = both(frt, "kill", "--all", "ID", "KILL", prepare=running)
    assert_fell_back(fast, slow, b"--all")


def test_kill_of_paused_with_sigkill_falls_back(frt):
    def paused(frt):
        cid = running(frt)
        frt("pause", cid, check=True)
        return cid

    fast, slow = both(frt, "kill", "ID", "KILL", prepare=paused)
    assert_fell_back(fast, slow, b"paused")


def test_unparsed_signal_falls_back(frt):
    fast, slow = both(frt, "kill", "ID", "NOPE", prepare=running)
    assert_fell_back(fast, slow, b"signal")
    assert slow.returncode == 1 and b"unknown signal" in slow.stderr


def test_poststart_hook_falls_back(frt, tmp_path):
    mark = tmp_path / "ran"

    def hooked(frt):
        return make(frt, mutate=lambda cfg: cfg.update(
            hooks={"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", f"echo x >> {mark}"]}]}))

    fast, slow = both(frt, "start", "ID", prepare=hooked)
    assert_fell_back(fast, slow, b"poststart")
    assert mark.read_text() == "x\nx\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_poststop_hook_falls_back(frt, tmp_path, force):
    mark = tmp_path / "ran"

    def hooked(frt):
        cid = make(frt, mutate=lambda cfg: cfg.update(
            hooks={"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", f"echo x >> {mark}"]}]}))
        frt("kill", cid, "KILL", env=PYTHON, check=True)
        wait_stopped(frt, cid)
        return cid

    fast, slow = both(frt, "delete", *force, "ID", prepare=hooked)
    assert_fell_back(fast, slow, b"poststop")
    assert mark.read_text() == "x\nx\n"


@pytest.mark.parametrize("force", [[], ["-f"]])
def test_no_mount_namespace_falls_back(frt, force):
    def shared_mounts(frt):
        def drop(cfg):
            cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "mount"]
            cfg["mounts"] = []
            cfg["linux"].pop("maskedPaths", None)
            cfg["linux"].pop("readonlyPaths", None)

        # Its own rootfs: without a mount namespace and a /dev mount, the devices are made in the tree.
        cid = make(frt, mutate=drop, own_rootfs=True)
        frt("kill", cid, "KILL", env=PYTHON, check=True)
        wait_stopped(frt, cid)
        return cid

    fast, slow = both(frt, "delete", *force, "ID", prepare=shared_mounts)
    assert_fell_back(fast, slow, b"unmount")


def test_python_only_flags_and_commands_fall_back(frt):
    cid = make(frt)
    for argv in (["--debug", "state", cid], ["state", "--help"], ["--version"], ["ps", cid],
                 ["state", cid, "x"], ["--bogus", "state", cid], ["state", "--bogus", cid],
                 ["--log-format", "yaml", "state", cid],
                 ["--rootless", "maybe", "state", cid], ["state"], ["kill", "-a", cid], ["list", "x"],
                 ["list", "-f", "yaml"], ["list", "--bogus"], ["list", "-f"], ["list", "--help"]):
        fast = frt(*argv, env=SERVED)
        slow = frt(*argv, env=PYTHON)
        assert fast.stderr.startswith(FALLBACK), argv
        assert fast.returncode == slow.returncode, argv
        if argv[0] != "--debug":
            assert fast.stdout == slow.stdout, argv


def test_forced_fallback(frt):
    cid = make(frt)
    proc = frt("state", cid, env=env(PYRUNC_FRONT="0", PYRUNC_FRONT_DEBUG="1"))
    assert proc.returncode == 0 and proc.stderr.startswith(FALLBACK + b"PYRUNC_FRONT=0")


@pytest.mark.parametrize("bad", ["../x", "a/b", "..", ".", "-x", "x" * 256, "sp ace"])
def test_invalid_id_gets_pythons_error(frt, bad):
    fast = frt("state", bad, env=SERVED)
    slow = frt("state", bad, env=PYTHON)
    assert fast.stderr.startswith(FALLBACK)
    assert (fast.returncode, fast.stderr.partition(b"\n")[2]) == (slow.returncode, slow.stderr)
    assert slow.returncode == 1


def test_missing_container_gets_pythons_error(frt):
    fast, slow = both(frt, "state", "nosuch")
    assert_fell_back(fast, slow, b"cannot be opened")
    assert b"does not exist" in slow.stderr


# --- the record -----------------------------------------------------------------------------------

def record_path(frt, cid: str) -> pathlib.Path:
    return frt.root / cid / "state.front"


def test_missing_record_falls_back(frt):
    cid = make(frt)
    record_path(frt, cid).unlink()
    fast = frt("state", cid, env=SERVED)
    assert fast.stderr.startswith(FALLBACK + b"no front-end record")
    assert fast.stdout == frt("state", cid, env=PYTHON).stdout
    start = frt("start", cid, env=SERVED)
    assert start.returncode == 0 and start.stderr.startswith(FALLBACK)
    assert status(frt, cid) == "running"


def reseal(body: bytes) -> bytes:
    """A record body with a correct trailing crc field, so the front end's other checks are reached."""
    import zlib

    crc = str(zlib.crc32(body)).encode()
    return body + b"crc %d\n%s\n" % (len(crc), crc)


def mutations(data: bytes) -> list[bytes]:
    head = b"pyrunc-front 1\n"
    body = data[: data.rindex(b"crc ")]
    structural = [
        body.replace(head, b"pyrunc-front 2\n"),
        body + b"later_key 1\n1\n",
        body.replace(b"\npid ", b"\npid 99999999999999999999999\n1\n", 1),
        body.replace(b"poststart 1\n0\n", b"poststart 1\n0\n" * 2),
        body.replace(b"poststart 1\n0\n", b"poststart 1\n7\n"),
        body.replace(b"unmount 1\n0\n", b""),
        body.replace(b"\ninit_start ", b"\ninit_start x", 1),
        body.replace(b"\nid ", b"\nid 4000\n", 1),
        body.replace(b"freezer ", b"freezer 0\n\nx ", 1),
        body.replace(b"cgroup_leaf ", b"cgroup_leaf 3\nrel\ncgroup_leaf ", 1),
        body.replace(b"\nstate_size ", b"\nstate_size 1\n7\nstate_size ", 1),
        body[: body.index(b"doc_paused")],
        head,
    ]
    raw = [b"", data[: len(data) // 2], data[:-1], data + b"\n", data + b"x 1\n1\n", body,
           data.replace(b"poststart 1\n0\n", b"poststart 1\n1\n")]
    return [reseal(b) for b in structural] + raw


def test_malformed_records_fall_back(frt):
    cid = make(frt)
    frt("start", cid, env=PYTHON, check=True)
    good = record_path(frt, cid).read_bytes()
    want = frt("state", cid, env=PYTHON).stdout
    for i, bad in enumerate(mutations(good)):
        assert bad != good, i
        record_path(frt, cid).write_bytes(bad)
        fast = frt("state", cid, env=SERVED)
        assert fast.returncode == 0 and fast.stderr.startswith(FALLBACK), (i, fast.stderr)
        assert fast.stdout == want, i
    record_path(frt, cid).write_bytes(good)
    assert_same_state(frt, cid, "running")


def test_randomly_damaged_records_fall_back(frt):
    """Any damage (flipped, dropped or inserted bytes) is refused, never printed nor acted on."""
    import random

    cid = make(frt)
    good = record_path(frt, cid).read_bytes()
    want = frt("state", cid, env=PYTHON).stdout
    rng = random.Random(8)
    for round_ in range(40):
        bad = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(bad))
            action = rng.choice(("flip", "drop", "insert"))
            if action == "flip":
                bad[at] ^= 1 << rng.randrange(8)
            elif action == "drop":
                del bad[at]
            else:
                bad.insert(at, rng.randrange(256))
        if bytes(bad) == good:
            continue
        record_path(frt, cid).write_bytes(bytes(bad))
        fast = frt("state", cid, env=SERVED)
        assert fast.returncode == 0 and fast.stderr.startswith(FALLBACK), (round_, fast.stderr)
        assert fast.stdout == want, round_
    record_path(frt, cid).write_bytes(good)
    assert_same_state(frt, cid, "created")


def test_record_of_another_state_json_falls_back(frt):
    """A state.json changed without its record (or a record left by an interrupted write) is refused."""
    cid = make(frt)
    state = frt.root / cid / "state.json"
    doc = json.loads(state.read_text())
    doc["bundle"] = "/elsewhere"
    state.write_text(json.dumps(doc))
    fast = frt("state", cid, env=SERVED)
    assert fast.stderr.startswith(FALLBACK + b"state.json")
    assert json.loads(fast.stdout)["bundle"] == "/elsewhere"


def test_record_symlink_is_not_followed(frt, tmp_path):
    cid = make(frt)
    real = tmp_path / "elsewhere"
    real.write_bytes(record_path(frt, cid).read_bytes())
    record_path(frt, cid).unlink()
    record_path(frt, cid).symlink_to(real)
    fast = frt("state", cid, env=SERVED)
    assert fast.returncode == 0 and fast.stderr.startswith(FALLBACK)


def test_record_is_removed_with_the_container(frt):
    cid = stopped(frt)
    assert record_path(frt, cid).exists()
    frt("delete", cid, env=PYTHON, check=True)
    assert not (frt.root / cid).exists()


def test_checkout_build_has_front_and_script():
    """The in-place build (setup.py build_ext --inplace) leaves the front end and its Python CLI."""
    front = ROOT / "pyrunc" / "pyrunc-front"
    script = ROOT / "pyrunc" / "pyrunc-front.py"
    assert front.is_file() and os.access(front, os.X_OK)
    assert script.is_file() and str(ROOT) in script.read_text()
    proc = subprocess.run([str(front), "--version"], capture_output=True, env=env())
    assert proc.returncode == 0 and proc.stdout.startswith(b"pyrunc version")


SIGNAL_TEXTS = [
    "1", "9", "15", "31", "34", "64", "65", "0", "00", "009", "-9", "+9", " 9", "9 ", "1e1", "\u0669",
    "KILL", "kill", "Kill", "SIGKILL", "sigkill", "SigTerm", "SIG", "SIGSIGKILL", "IOT", "CLD", "POLL",
    "STKFLT", "SIGPWR", "SYS", "UNUSED", "RTMIN", "rtmax", "SIGRTMIN+1", "RTMIN+30", "RTMIN+31", "RTMAX-30",
    "RTMAX-31", "RTMIN-1", "RTMAX+1", "RTMIN+", "RTMIN+03", "RTMIN+003", "RTMIN++1", "RTMIN+ 1", "RTMIN+1_0",
    "RTMINX", "", "K\u0130LL", "ki\u017fll", "TERM\n", "HUP\x00",
]


def test_signal_parser_never_accepts_what_python_refuses(frt, front):
    """The front end parses a signal before it looks for the container, so `kill nosuch SIG` shows its
    decision; whatever it accepts, pyrunc/runtime/signals.py must accept too (the rest falls back)."""
    from pyrunc.errors import UsageError
    from pyrunc.runtime.signals import signal_number

    frt.root.mkdir(exist_ok=True)
    accepted = 0
    for text in SIGNAL_TEXTS:
        if "\x00" in text:
            continue  # cannot be an argv element
        proc = subprocess.run([front, "--root", str(frt.root), "kill", "nosuch", text], capture_output=True,
                              env=SERVED)
        if b"a signal it does not parse" in proc.stderr:
            continue
        accepted += 1
        try:
            signal_number(text)
        except UsageError:
            pytest.fail(f"the front end accepts signal {text!r}, which python refuses")
    assert accepted >= 25


# --- delete of a created container, delete --force ------------------------------------------------

def state_record(frt, cid: str) -> dict:
    return json.loads((frt.root / cid / "state.json").read_bytes())


def cgroup_dirs(record: dict) -> list[str]:
    cg = record["cgroup"]
    return sorted(set(cg["v1"].values()) | ({cg["v2"]} if cg["v2"] else set()))


def cgroup_pids(record: dict) -> list[int]:
    return [int(p) for p in pathlib.Path(record["cgroup"]["v2"], "cgroup.procs").read_text().split()]


def dead(pid: int) -> bool:
    """Gone or a zombie (its parent, the host's init, may not have reaped it yet)."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def with_child(frt) -> str:
    """A container whose process has a child of its own: the kill must go through the cgroup."""
    return make(frt, ["/bin/sh", "-c", "sleep 1000 & exec sleep 1001"])


def in_status(frt, want: str) -> str:
    cid = with_child(frt)
    if want == "created":
        return cid
    frt("start", cid, env=PYTHON, check=True)
    deadline = time.monotonic() + 10
    while len(cgroup_pids(state_record(frt, cid))) < 2:
        assert time.monotonic() < deadline, "the container's child did not start"
        time.sleep(0.01)
    if want == "paused":
        frt("pause", cid, env=PYTHON, check=True)
    elif want == "stopped":
        frt("kill", cid, "KILL", env=PYTHON, check=True)
        wait_stopped(frt, cid)
    assert status(frt, cid) == want
    return cid


def assert_gone(frt, cid: str, record: dict, pids: list[int]) -> None:
    assert not (frt.root / cid).exists()
    assert not [d for d in cgroup_dirs(record) if os.path.exists(d)]
    deadline = time.monotonic() + 5
    while not all(dead(p) for p in pids):
        assert time.monotonic() < deadline, [p for p in pids if not dead(p)]
        time.sleep(0.01)


@pytest.mark.parametrize("want", ["created", "running", "paused", "stopped"])
def test_delete_force_served_in_every_status(frt, want):
    """Served (nothing said on stderr) and with Python's effects: every process killed through the
    cgroup, the cgroups and the state directory removed (the rt fixture also checks for leaks)."""
    results = []
    for which in (SERVED, PYTHON):
        cid = in_status(frt, want)
        record = state_record(frt, cid)
        pids = [record["pid"]] + (cgroup_pids(record) if want != "stopped" else [])
        proc = frt("delete", "--force", cid, env=which)
        results.append((proc.returncode, proc.stdout, proc.stderr))
        assert_gone(frt, cid, record, pids)
    assert results[0] == results[1] == (0, b"", b"")


def test_delete_of_created_is_served(frt):
    """lifecycle.delete kills and removes a created container without --force (runc and crun do too)."""
    cid = in_status(frt, "created")
    record = state_record(frt, cid)
    proc = frt("delete", cid, env=SERVED)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert_gone(frt, cid, record, [record["pid"]])


@pytest.mark.parametrize("want", ["running", "paused"])
def test_delete_without_force_of_a_live_container_falls_back(frt, want):
    fast, slow = both(frt, "delete", "ID", prepare=lambda frt: in_status(frt, want))
    assert_fell_back(fast, slow, b"not stopped")
    assert slow.returncode == 1 and f"not stopped: {want}".encode() in slow.stderr


def test_delete_force_of_a_missing_container_is_served(frt, front):
    frt.root.mkdir(parents=True, exist_ok=True)
    for root in (frt.root, frt.root / "nonexistent"):
        argv = [front, "--root", str(root), "delete", "-f", "nosuch"]
        fast = subprocess.run(argv, capture_output=True, env=SERVED)
        slow = subprocess.run(argv, capture_output=True, env=PYTHON)
        assert (fast.returncode, fast.stdout, fast.stderr) == (0, b"", b"")
        assert (slow.returncode, slow.stdout, slow.stderr) == (0, b"", b"")


def rewrite_state(frt, cid: str, change) -> dict:
    """Change state.json the way pyrunc itself writes it (with a fresh record), keeping the original."""
    from pyrunc.state.store import Store

    store = Store(str(frt.root))
    with store.lock(cid):
        record = store.read(cid)
        original = json.loads(json.dumps(record))
        change(record)
        store.write(cid, record)
    return original


def remove_cgroups(record: dict) -> None:
    for d in cgroup_dirs(record):
        deadline = time.monotonic() + 5
        while os.path.exists(d):
            try:
                os.rmdir(d)
            except OSError:
                assert time.monotonic() < deadline, d
                time.sleep(0.01)


def test_delete_force_without_cgroup_kills_the_init_itself(frt):
    """A container without a cgroup (the record says "none"): the init is killed by pidfd."""
    cid = in_status(frt, "created")
    original = rewrite_state(frt, cid, lambda r: r.update(cgroup=None))
    try:
        proc = frt("delete", "--force", cid, env=SERVED)
        assert (proc.returncode, proc.stderr) == (0, b"")
        assert not (frt.root / cid).exists()
        deadline = time.monotonic() + 5
        while not dead(original["pid"]):
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        remove_cgroups(original)  # the cgroups pyrunc no longer knew about


def decision_only(front: str, tmp_path: pathlib.Path) -> str:
    """The front end alone, without its Python CLI beside it: a hand-over says why, then fails to exec
    (nothing has been changed by then)."""
    import shutil

    lone = tmp_path / "lone" / "pyrunc"
    lone.parent.mkdir()
    shutil.copy2(front, lone)
    return str(lone)


def test_delete_force_of_a_rootless_container_without_cgroups(frt, front, tmp_path):
    cid = in_status(frt, "stopped")
    original = rewrite_state(frt, cid, lambda r: r["cgroup"].update(skipped=True))
    try:
        # Stopped: nothing to kill, served (Python's destroy does nothing for a skipped manager either).
        proc = frt("delete", "--force", cid, env=SERVED)
        assert (proc.returncode, proc.stderr) == (0, b"")
        assert not (frt.root / cid).exists()
    finally:
        remove_cgroups(original)
    # Live: Python's _kill_and_wait counts the skipped manager's no-op kill as the kill; the front end
    # does not serve it (decided before touching anything).
    cid = in_status(frt, "running")
    rewrite_state(frt, cid, lambda r: r["cgroup"].update(skipped=True))
    try:
        proc = subprocess.run([decision_only(front, tmp_path), "--root", str(frt.root), "delete", "-f", cid],
                              capture_output=True, env=SERVED)
        assert proc.stderr.startswith(FALLBACK + b"a live rootless container without cgroups"), proc.stderr
        assert proc.returncode == 1 and status(frt, cid) == "running"
    finally:
        rewrite_state(frt, cid, lambda r: r["cgroup"].update(skipped=False))


def drop_fields(record: bytes, keys: set[bytes]) -> bytes:
    """The record without the given keys, resealed."""
    head = b"pyrunc-front 1\n"
    out, pos = [head], len(head)
    while pos < len(record):
        nl = record.index(b"\n", pos)
        key, _, length = record[pos:nl].partition(b" ")
        end = nl + 2 + int(length)
        if key not in keys and key != b"crc":
            out.append(record[pos:end])
        pos = end
    return reseal(b"".join(out))


@pytest.mark.parametrize("cut", ["killed", "cgroups_removed", "files_removed", "state_json_removed"])
def test_python_finishes_a_delete_interrupted_anywhere(frt, cut):
    """Each point where a served delete --force can stop and hand over: the front end (serving or handing
    over) then finishes the job, and Python's delete --force alone does too."""
    for which in (SERVED, PYTHON):
        cid = in_status(frt, "running")
        record = state_record(frt, cid)
        pids = [record["pid"]] + cgroup_pids(record)
        pathlib.Path(record["cgroup"]["v2"], "cgroup.kill").write_text("1")
        deadline = time.monotonic() + 10
        while not all(dead(p) for p in pids):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        if cut != "killed":
            remove_cgroups(record)
        directory = frt.root / cid
        if cut in ("files_removed", "state_json_removed"):
            for name in os.listdir(directory):
                if name != "state.json":
                    (directory / name).unlink()
        if cut == "state_json_removed":
            (directory / "state.json").unlink()
        proc = frt("delete", "--force", cid, env=which)
        assert proc.returncode == 0, proc.stderr
        assert_gone(frt, cid, record, pids)


def test_a_cgroup_that_will_not_go_is_reported_like_python_then_finished(frt):
    """A real failure part-way (a child cgroup someone made keeps a leaf busy): the front end has killed
    the container when it hands over; Python reports the failure as its own run does, and a later
    delete --force finishes once the obstacle is gone."""
    outcomes = []
    for which in (SERVED, PYTHON):
        cid = in_status(frt, "running")
        record = state_record(frt, cid)
        blocker = pathlib.Path(record["cgroup"]["v1"]["memory"], "blocker")
        blocker.mkdir()
        try:
            proc = frt("delete", "--force", cid, env=which)
        finally:
            blocker.rmdir()
        lines = proc.stderr.splitlines()
        if which is SERVED:
            assert lines[0].startswith(FALLBACK + b"a cgroup will not rmdir"), proc.stderr
            lines = lines[1:]
        outcomes.append((proc.returncode, [line.replace(cid.encode(), b"ID") for line in lines]))
        assert dead(record["pid"])
        again = frt("delete", "--force", cid, env=which)
        assert again.returncode == 0, again.stderr
        assert_gone(frt, cid, record, [record["pid"]])
    assert outcomes[0][0] == outcomes[1][0] == 1
    for _, lines in outcomes:
        assert [b"busy" in line for line in lines] == [True], lines


# --- list ---------------------------------------------------------------------------------------------

LIST_SPELLINGS = [[], ["-f", "json"], ["--format=json"], ["-format", "json"], ["-q"], ["--quiet"],
                  ["--quiet=true"], ["--quiet=false"], ["-f", "table"], ["-f", ""], ["-f", "json", "-q"],
                  ["--format", "table", "--quiet"]]


def assert_same_list(frt, root: pathlib.Path | None = None, *, fallback: bytes | None = None) -> None:
    front = os.environ["PYRUNC_BIN"]
    for spelling in LIST_SPELLINGS:
        argv = [front, "--root", str(root or frt.root), "list", *spelling]
        fast = subprocess.run(argv, capture_output=True, env=SERVED)
        slow = subprocess.run(argv, capture_output=True, env=PYTHON)
        if fallback is None:
            assert fast.stderr == b"", (spelling, fast.stderr)
        else:
            assert fast.stderr.startswith(FALLBACK + fallback), (spelling, fast.stderr)
        assert (fast.returncode, fast.stdout) == (slow.returncode, slow.stdout), spelling
        assert slow.returncode == 0, slow.stderr


def test_list_byte_identical_in_every_status(frt):
    for want in ("created", "running", "paused", "stopped"):
        in_status(frt, want)
    make(frt, mutate=lambda cfg: cfg.update(annotations={"a\"b": "x\\y", "k": "v" * 500}))
    assert_same_list(frt)
    out = frt("list", env=SERVED).stdout.decode()
    assert {"created", "running", "paused", "stopped"} <= {line.split()[2] for line in out.splitlines()[1:]}
    docs = json.loads(frt("list", "-f", "json", env=SERVED).stdout)
    assert sorted(d["id"] for d in docs) == sorted(frt.ids) and [d["id"] for d in docs] == sorted(frt.ids)


def test_list_of_an_empty_and_a_missing_root(frt, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_same_list(frt, empty)
    assert_same_list(frt, tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


def test_list_skips_what_python_skips(frt, tmp_path):
    """Entries that are not containers (files, dot-names, invalid ids, symlinks to files) are skipped by
    both; a long bundle path widens the table the same way."""
    long_name = "b-" + "x" * 60
    bundle = frt.bundle(["/bin/sleep", "1000"], name=long_name)
    cid = frt.new_id()
    frt("create", "--bundle", str(bundle), cid, check=True)
    (frt.root / "afile").write_text("x")
    (frt.root / ".hidden").mkdir()
    (frt.root / "sp ace").mkdir()
    (frt.root / "link-to-file").symlink_to(frt.root / "afile")
    try:
        assert_same_list(frt)
    finally:
        (frt.root / "link-to-file").unlink()
        (frt.root / "afile").unlink()
        (frt.root / ".hidden").rmdir()
        (frt.root / "sp ace").rmdir()


@pytest.mark.parametrize("how", ["no_record", "stale_record", "no_state_json", "symlinked_dir", "non_ascii"])
def test_list_falls_back_for_the_whole_command(frt, tmp_path, how):
    make(frt)
    def odd(cfg: dict) -> None:
        cfg["annotations"] = {"k": "caf\u00e9"}

    cid = make(frt, mutate=odd if how == "non_ascii" else None)
    made: list[pathlib.Path] = []
    reason = {"no_record": b"no front-end record", "stale_record": b"state.json",
              "no_state_json": b"no front-end record", "symlinked_dir": b"front-end record is malformed",
              "non_ascii": b"a record without the list fields"}[how]
    if how == "no_record":
        record_path(frt, cid).unlink()
    elif how == "stale_record":
        state = frt.root / cid / "state.json"
        doc = json.loads(state.read_text())
        doc["owner"] = "someone"
        state.write_text(json.dumps(doc))
    elif how == "no_state_json":
        made.append(frt.root / "cbeingmade")
        made[-1].mkdir()
    elif how == "symlinked_dir":
        made.append(frt.root / "calias")
        made[-1].symlink_to(frt.root / cid)
    try:
        assert_same_list(frt, fallback=reason)
    finally:
        for path in made:
            path.unlink() if path.is_symlink() else path.rmdir()
