"""process.*: what the container's process is, seen from inside by /bin/probe (tests/integration/probe.c)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.integration.conftest import pyrunc_cmd

CAP_CHOWN = 0
CAP_KILL = 5
CAP_NET_BIND_SERVICE = 10
CAP_NET_RAW = 13
CAP_SYS_ADMIN = 21


def probe(rt, mutate=None, args: list[str] | None = None) -> dict:
    proc = rt.run_container(args or ["/bin/probe"], mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def run_out(rt, args: list[str], mutate=None) -> str:
    proc = rt.run_container(args, mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


def capmask(*caps: int) -> int:
    mask = 0
    for cap in caps:
        mask |= 1 << cap
    return mask


# --- args, env, cwd -----------------------------------------------------------------------------------


def test_args_are_looked_up_in_the_containers_path(rt):
    def path(value):
        def mutate(cfg):
            cfg["process"]["env"] = [f"PATH={value}"]

        return mutate

    # `probe` lives only in the rootfs's /bin: found through the container's PATH, not the host's.
    assert json.loads(run_out(rt, ["probe"], path("/nonexistent:/bin")))["pid"] == 1
    missing = rt.run_container(["probe"], mutate=path("/usr/local/bin:/nonexistent"))
    assert missing.returncode == 1
    assert b'exec: "probe": executable file not found in $PATH' in missing.stderr
    # The host's PATH is irrelevant: gcc is on the host, not in the rootfs.
    assert rt.run_container(["gcc"]).returncode == 1


def test_env_is_the_configured_one_plus_home(rt):
    """Exactly the configured env; HOME comes from the container's /etc/passwd when unset, as in runc."""

    def env(values):
        def mutate(cfg):
            cfg["process"]["env"] = values

        return mutate

    given = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "MULTI=a=b"]
    lines = run_out(rt, ["/bin/env"], env(given)).splitlines()
    assert sorted(lines) == sorted(given + ["HOME=/root"])
    lines = run_out(rt, ["/bin/env"], env(given + ["HOME=/elsewhere"])).splitlines()
    assert sorted(lines) == sorted(given + ["HOME=/elsewhere"])


def test_cwd(rt):
    def mutate(cfg):
        cfg["process"]["cwd"] = "/tmp"

    assert probe(rt, mutate)["cwd"] == "/tmp"
    assert probe(rt)["cwd"] == "/"


def test_relative_cwd_is_a_config_error(rt):
    def mutate(cfg):
        cfg["process"]["cwd"] = "tmp"

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode == 1
    assert b"/process/cwd" in proc.stderr


def test_missing_cwd_is_created_inside_the_rootfs(rt):
    """As runc 1.1.5 does: a cwd that does not exist yet is made (in the rootfs, not on the host)."""

    def mutate(cfg):
        cfg["process"]["cwd"] = "/no/such/dir"

    bundle = rt.bundle(["/bin/pwd"], mutate=mutate, own_rootfs=True)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"/no/such/dir\n"
    assert (bundle / "rootfs" / "no" / "such" / "dir").is_dir()
    assert not os.path.exists("/no/such/dir")


def test_unreachable_cwd_fails_create_clearly(rt):
    def mutate(cfg):
        cfg["process"]["cwd"] = "/etc/passwd/sub"

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b'chdir to cwd ("/etc/passwd/sub") set in config.json failed: not a directory' in proc.stderr
    assert not (rt.root / cid).exists()


# --- user ---------------------------------------------------------------------------------------------


def test_user_uid_gid_additional_gids_umask(rt):
    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 1001], "umask": 0o077}

    seen = probe(rt, mutate)
    assert (seen["uid"], seen["euid"], seen["gid"], seen["egid"]) == (1000, 1000, 1001, 1001)
    assert sorted(seen["groups"]) == [10, 20, 1001]
    assert seen["umask"] == 0o077


def test_user_root_without_additional_gids_has_no_groups(rt):
    seen = probe(rt)
    assert (seen["uid"], seen["gid"], seen["groups"]) == (0, 0, [])
    # No umask in the config: runc sets 0022.
    assert seen["umask"] == 0o022


def test_files_are_created_with_the_umask_and_owner(rt, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)

    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 1234, "gid": 4321, "umask": 0o027}
        cfg["mounts"].append(
            {"destination": "/shared", "type": "bind", "source": str(shared), "options": ["rbind", "rw"]}
        )

    assert rt.run_container(["/bin/touch", "/shared/f"], mutate=mutate).returncode == 0
    st = os.stat(shared / "f")
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (1234, 4321, 0o640)


# --- rlimits, oomScoreAdj -----------------------------------------------------------------------------


def test_rlimits(rt):
    def mutate(cfg):
        cfg["process"]["rlimits"] = [
            {"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
            {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
            {"type": "RLIMIT_NPROC", "soft": 777, "hard": 888},
        ]

    limits = probe(rt, mutate)["rlimits"]
    assert limits["RLIMIT_NOFILE"] == [321, 654]
    assert limits["RLIMIT_CORE"] == [0, 4096]
    assert limits["RLIMIT_NPROC"] == [777, 888]


def test_unknown_rlimit_is_a_config_error(rt):
    def mutate(cfg):
        cfg["process"]["rlimits"] = [
            {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
            {"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1},
        ]

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode == 1
    assert b"/process/rlimits/1/type" in proc.stderr


def _run_with_oom_score_adj(rt, runtime_adj: int, mutate) -> dict:
    """Run the runtime from a shell whose oom_score_adj is runtime_adj (raising it needs no privilege)."""
    bundle = rt.bundle(["/bin/probe"], mutate=mutate)
    cmd = pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), rt.new_id()]
    script = f'echo {runtime_adj} > /proc/self/oom_score_adj && exec "$@"'
    proc = subprocess.run(["sh", "-c", script, "sh"] + cmd, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_oom_score_adj_written_when_set(rt):
    def mutate(cfg):
        cfg["process"]["oomScoreAdj"] = 500

    assert _run_with_oom_score_adj(rt, 100, mutate)["oom_score_adj"] == 500


def test_oom_score_adj_left_alone_when_unset(rt):
    """Not set: the process keeps what it inherited (runc writes nothing)."""

    def mutate(cfg):
        cfg["process"].pop("oomScoreAdj", None)

    assert _run_with_oom_score_adj(rt, 123, mutate)["oom_score_adj"] == 123


def test_oom_score_adj_zero_is_written(rt):
    """0 is a value, not "unset": from an inherited 300 it goes down to 0."""

    def mutate(cfg):
        cfg["process"]["oomScoreAdj"] = 0

    assert _run_with_oom_score_adj(rt, 300, mutate)["oom_score_adj"] == 0


# --- hostname, domainname, sysctl ---------------------------------------------------------------------


def test_hostname_and_domainname(rt):
    def mutate(cfg):
        cfg["hostname"] = "box-one"
        cfg["domainname"] = "example.test"

    seen = probe(rt, mutate)
    assert (seen["hostname"], seen["domainname"]) == ("box-one", "example.test")
    assert os.uname().nodename != "box-one"


def test_sysctl_in_new_network_and_ipc_namespaces(rt):
    with open("/proc/sys/net/ipv4/ip_forward") as handle:
        host_forward = handle.read().strip()
    with open("/proc/sys/kernel/msgmax") as handle:
        host_msgmax = handle.read().strip()
    want_forward = "0" if host_forward == "1" else "1"

    def mutate(cfg):
        cfg["linux"]["sysctl"] = {"net.ipv4.ip_forward": want_forward, "kernel.msgmax": "4321"}

    out = run_out(rt, ["/bin/cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/msgmax"], mutate)
    assert out.split() == [want_forward, "4321"]
    with open("/proc/sys/net/ipv4/ip_forward") as handle:
        assert handle.read().strip() == host_forward
    with open("/proc/sys/kernel/msgmax") as handle:
        assert handle.read().strip() == host_msgmax


def test_unknown_sysctl_fails_create_and_names_it(rt):
    def mutate(cfg):
        cfg["linux"]["sysctl"] = {"net.ipv4.no_such_knob": "1"}

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"net.ipv4.no_such_knob" in proc.stderr
    assert not (rt.root / cid).exists()


# --- capabilities, noNewPrivileges --------------------------------------------------------------------


def _caps(bounding, effective, permitted, inheritable, ambient):
    names = {
        CAP_CHOWN: "CAP_CHOWN",
        CAP_KILL: "CAP_KILL",
        CAP_NET_BIND_SERVICE: "CAP_NET_BIND_SERVICE",
        CAP_NET_RAW: "CAP_NET_RAW",
        CAP_SYS_ADMIN: "CAP_SYS_ADMIN",
    }
    return {
        k: [names[c] for c in v]
        for k, v in (
            ("bounding", bounding),
            ("effective", effective),
            ("permitted", permitted),
            ("inheritable", inheritable),
            ("ambient", ambient),
        )
    }


def test_capabilities_root_gets_its_sets(rt):
    def mutate(cfg):
        cfg["process"]["capabilities"] = _caps(
            bounding=[CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW],
            effective=[CAP_KILL, CAP_NET_BIND_SERVICE],
            permitted=[CAP_KILL, CAP_NET_BIND_SERVICE],
            inheritable=[CAP_NET_BIND_SERVICE],
            ambient=[CAP_NET_BIND_SERVICE],
        )

    seen = probe(rt, mutate)
    assert int(seen["cap_bnd"], 16) == capmask(CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW)
    assert int(seen["cap_inh"], 16) == capmask(CAP_NET_BIND_SERVICE)
    assert int(seen["cap_amb"], 16) == capmask(CAP_NET_BIND_SERVICE)
    # uid 0 across execve: permitted = inheritable | bounding (the kernel's root rule), so not above it.
    assert int(seen["cap_prm"], 16) & ~capmask(CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW) == 0
    assert int(seen["cap_prm"], 16) & capmask(CAP_KILL, CAP_NET_BIND_SERVICE)


def test_capabilities_non_root_keeps_only_ambient(rt):
    """For a non-root user execve keeps only the ambient set: that proves ambient, inheritable and
    permitted were all set (ambient needs the cap in both permitted and inheritable)."""

    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
        cfg["process"]["capabilities"] = _caps(
            bounding=[CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW],
            effective=[CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW],
            permitted=[CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW],
            inheritable=[CAP_NET_BIND_SERVICE, CAP_NET_RAW],
            ambient=[CAP_NET_BIND_SERVICE, CAP_NET_RAW],
        )

    seen = probe(rt, mutate)
    both = capmask(CAP_NET_BIND_SERVICE, CAP_NET_RAW)
    assert int(seen["cap_amb"], 16) == both
    assert int(seen["cap_prm"], 16) == both
    assert int(seen["cap_eff"], 16) == both
    assert int(seen["cap_inh"], 16) == both
    assert int(seen["cap_bnd"], 16) == capmask(CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW)


def test_capabilities_without_ambient_are_lost_by_non_root(rt):
    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
        cfg["process"]["capabilities"] = _caps(
            bounding=[CAP_KILL], effective=[CAP_KILL], permitted=[CAP_KILL], inheritable=[], ambient=[]
        )

    seen = probe(rt, mutate)
    assert int(seen["cap_eff"], 16) == 0 and int(seen["cap_prm"], 16) == 0 and int(seen["cap_amb"], 16) == 0


def test_unknown_capability_is_an_error(rt):
    def mutate(cfg):
        cfg["process"]["capabilities"]["effective"] = ["CAP_KILL", "CAP_NO_SUCH_THING"]

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"CAP_NO_SUCH_THING" in proc.stderr and b"/process/capabilities/effective/1" in proc.stderr
    assert not (rt.root / cid).exists()


def test_known_capability_the_kernel_lacks_only_warns():
    """Decision logic (this kernel knows every capability pyrunc knows, so a real run cannot show it):
    a name beyond /proc/sys/kernel/cap_last_cap is dropped with a warning naming it."""
    from pyrunc.log import LOG
    from pyrunc.runtime.plan import cap_mask

    warnings: list[str] = []
    original = LOG.warning
    LOG.warning = warnings.append  # type: ignore[method-assign]
    try:
        mask = cap_mask(["CAP_KILL", "CAP_CHECKPOINT_RESTORE"], "/process/capabilities/bounding", 39)
    finally:
        LOG.warning = original  # type: ignore[method-assign]
    assert mask == 1 << CAP_KILL
    assert len(warnings) == 1 and "CAP_CHECKPOINT_RESTORE" in warnings[0]
    assert "/process/capabilities/bounding/1" in warnings[0]


def test_no_new_privileges(rt):
    def nnp(value):
        def mutate(cfg):
            cfg["process"]["noNewPrivileges"] = value

        return mutate

    assert probe(rt, nnp(True))["no_new_privs"] == 1
    assert probe(rt, nnp(False))["no_new_privs"] == 0


# --- personality, scheduler, ioPriority, execCPUAffinity ----------------------------------------------


def test_personality_linux32(rt):
    def mutate(cfg):
        cfg["linux"]["personality"] = {"domain": "LINUX32"}

    assert run_out(rt, ["/bin/uname", "-m"], mutate).strip() == "i686"
    assert run_out(rt, ["/bin/uname", "-m"]).strip() == os.uname().machine


@pytest.mark.parametrize("policy,number", [("SCHED_BATCH", 3), ("SCHED_IDLE", 5)])
def test_scheduler_policy(rt, policy, number):
    def mutate(cfg):
        cfg["process"]["scheduler"] = {"policy": policy, "nice": 5 if policy == "SCHED_BATCH" else 0}

    assert probe(rt, mutate)["sched_policy"] == number
    if policy == "SCHED_BATCH":
        assert probe(rt, mutate)["nice"] == 5


def test_unknown_scheduler_policy_is_a_config_error(rt):
    def mutate(cfg):
        cfg["process"]["scheduler"] = {"policy": "SCHED_NOPE"}

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode == 1 and b"/process/scheduler/policy" in proc.stderr


@pytest.mark.parametrize("klass,number,prio", [("IOPRIO_CLASS_BE", 2, 6), ("IOPRIO_CLASS_IDLE", 3, 0)])
def test_io_priority(rt, klass, number, prio):
    def mutate(cfg):
        cfg["process"]["ioPriority"] = {"class": klass, "priority": prio}

    assert probe(rt, mutate)["ioprio"] == (number << 13) | prio


def test_exec_cpu_affinity_initial(rt):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs at least two cpus to tell an affinity from the default")
    cpu = max(os.sched_getaffinity(0))

    def mutate(cfg):
        cfg["process"]["execCPUAffinity"] = {"initial": str(cpu)}

    assert probe(rt, mutate)["cpus"] == [cpu]
    assert probe(rt)["cpus"] == sorted(os.sched_getaffinity(0))


def test_start_succeeds_under_a_filter_that_refuses_write(rt):
    """`start` learns from the init that its hooks are done before any seccomp filter goes in."""

    def mutate(cfg):
        cfg["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ERRNO"}],
        }

    bundle = rt.bundle(["/bin/sleep", "30"], mutate=mutate)
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    rt("start", cid, check=True)
    assert rt.state(cid)["status"] == "running"
    rt("delete", "--force", cid, check=True)


def test_socket_activation_fds_and_env(rt):
    """LISTEN_FDS from the caller (systemd socket activation): fds 3.. reach the container, which sees
    LISTEN_PID=1 and the same LISTEN_FDS."""
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    bundle = rt.bundle(["/bin/sh", "-c", 'echo "$LISTEN_FDS $LISTEN_PID"; echo one >&3; echo two >&4'])
    script = f'exec 3>&{w1} 4>&{w2} {w1}>&- {w2}>&-; LISTEN_PID=$$ LISTEN_FDS=2 exec "$@"'
    cmd = pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), rt.new_id()]
    try:
        proc = subprocess.run(
            ["bash", "-c", script, "bash"] + cmd, pass_fds=(w1, w2), capture_output=True, timeout=60
        )
    finally:
        os.close(w1)
        os.close(w2)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"2 1\n"
    assert os.read(r1, 100) == b"one\n" and os.read(r2, 100) == b"two\n"
    os.close(r1)
    os.close(r2)


def test_listen_fds_for_another_process_are_ignored(rt):
    bundle = rt.bundle(["/bin/sh", "-c", 'echo "[$LISTEN_FDS]"; echo x >&3 2>/dev/null || echo closed'])
    r1, w1 = os.pipe()
    script = f'exec 3>&{w1} {w1}>&-; LISTEN_PID=1 LISTEN_FDS=1 exec "$@"'
    cmd = pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), rt.new_id()]
    try:
        proc = subprocess.run(
            ["bash", "-c", script, "bash"] + cmd, pass_fds=(w1,), capture_output=True, timeout=60
        )
    finally:
        os.close(w1)
        os.close(r1)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"[]\nclosed\n"


def test_only_stdio_reaches_the_process(rt):
    """No fd of the runtime (sync socket, fifo, state lock, procfs...) survives into the container."""
    seen = probe(rt)
    assert seen["fds"] == [0, 1, 2]
    assert (seen["pid"], seen["ppid"]) == (1, 0)


def test_umask_defaults_to_0022_whatever_the_callers(rt):
    bundle = rt.bundle(["/bin/probe"])
    cmd = pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), rt.new_id()]
    proc = subprocess.run(["sh", "-c", 'umask 077 && exec "$@"', "sh"] + cmd, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["umask"] == 0o022


def test_signal_dispositions_and_mask_are_reset(rt):
    """A caller that ignores or blocks signals (nohup, a supervisor) must not pass that on."""
    bundle = rt.bundle(["/bin/cat", "/proc/self/status"])
    cmd = pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), rt.new_id()]
    proc = subprocess.run(
        ["sh", "-c", "trap '' INT TERM HUP USR1 PIPE; exec \"$@\"", "sh"] + cmd,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    fields = dict(line.split(":", 1) for line in proc.stdout.decode().splitlines() if ":" in line)
    assert int(fields["SigIgn"], 16) == 0
    assert int(fields["SigBlk"], 16) == 0
