"""Failure paths of create/run: each fails with one clear error line, exit status 1, and (checked by the
`rt` fixture after every test) leaves no state dir, mount, cgroup or process behind."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

from tests.integration.conftest import CGROUP_PARENT
from tests.integration.test_attack_support import ablated_runtime


def create_fails(rt, mutate, *, args: list[str] | None = None, **kw) -> str:
    """Run create with the mutated config, expect failure, return stderr; no state dir stays."""
    bundle = rt.bundle(args or ["/bin/true"], mutate=mutate, **kw)
    cid = rt.new_id()
    pid_file = rt.work / f"{cid}.pid"
    proc = rt("create", "--pid-file", str(pid_file), "-b", str(bundle), cid)
    assert proc.returncode == 1, proc.stderr
    assert not (rt.root / cid).exists()
    assert not pid_file.exists()
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


# --- mounts -------------------------------------------------------------------------------------------


def test_bind_mount_of_a_missing_source(rt, tmp_path):
    def mutate(cfg):
        cfg["mounts"].append(
            {
                "destination": "/data",
                "type": "bind",
                "source": str(tmp_path / "missing"),
                "options": ["rbind"],
            }
        )

    err = create_fails(rt, mutate)
    assert "/data" in err or "missing" in err
    assert "no such file or directory" in err


def test_mount_of_an_unknown_filesystem_type(rt):
    def mutate(cfg):
        cfg["mounts"].append({"destination": "/tmp", "type": "nosuchfs", "source": "none"})

    err = create_fails(rt, mutate)
    assert "/tmp" in err and "no such device" in err


def test_mount_with_a_bad_option_fails_late_and_leaves_nothing(rt):
    """Fails inside the init, after the earlier mounts were made: all of them must go."""

    def mutate(cfg):
        cfg["mounts"].append(
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=not-a-size"]}
        )

    err = create_fails(rt, mutate)
    assert "/tmp" in err


def test_proc_mount_over_a_symlink_is_refused(rt):
    def mutate(cfg):
        cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != "/proc"]
        cfg["mounts"].append({"destination": "/proc-link", "type": "proc", "source": "proc"})

    bundle_rootfs_link = "proc-link"

    def with_link(cfg):
        mutate(cfg)

    # The rootfs is a private copy so the symlink does not touch the shared one.
    bundle = rt.bundle(["/bin/true"], mutate=with_link, own_rootfs=True)
    (bundle / "rootfs" / bundle_rootfs_link).symlink_to("/etc")
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"proc" in proc.stderr
    assert not (rt.root / cid).exists()


# --- process ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,wording",
    [
        (["no-such-program"], 'exec: "no-such-program": executable file not found in $PATH'),
        (["/no/such/program"], "no such file or directory"),
        (["/etc/passwd"], "permission denied"),
        (["/etc"], "permission denied"),
    ],
)
def test_missing_or_unrunnable_executable(rt, args, wording):
    err = create_fails(rt, None, args=args)
    assert wording in err


def test_too_many_additional_gids(rt):
    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 0, "gid": 0, "additionalGids": list(range(1, 65540))}

    err = create_fails(rt, mutate)
    assert "/process/user/additionalGids" in err


@pytest.mark.parametrize(
    "user,pointer",
    [
        ({"uid": 4294967295, "gid": 0}, "/process/user/uid"),
        ({"uid": 0, "gid": 4294967295}, "/process/user/gid"),
        ({"uid": 0, "gid": 0, "additionalGids": [1, 2147483648]}, "/process/user/additionalGids/1"),
    ],
)
def test_ids_out_of_range_are_refused(rt, user, pointer):
    """(uid_t)-1 means "unchanged" to setresuid: it must not quietly leave the process root."""

    def mutate(cfg):
        cfg["process"]["user"] = user

    err = create_fails(rt, mutate)
    assert pointer in err and "0-2147483647" in err


# --- namespaces ---------------------------------------------------------------------------------------


def test_namespace_path_that_does_not_exist(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"] = [
            ns if ns["type"] != "network" else {"type": "network", "path": "/run/netns/never-made"}
            for ns in cfg["linux"]["namespaces"]
        ]

    err = create_fails(rt, mutate)
    assert "/run/netns/never-made" in err


def test_namespace_path_of_the_wrong_type(rt):
    other = subprocess.Popen(["sleep", "60"])
    path = f"/proc/{other.pid}/ns/net"
    try:

        def mutate(cfg):
            cfg["linux"]["namespaces"] = [
                ns if ns["type"] != "uts" else {"type": "uts", "path": path}
                for ns in cfg["linux"]["namespaces"]
            ]

        err = create_fails(rt, mutate)
        assert path in err and "not uts" in err
    finally:
        other.kill()
        other.wait()


def test_namespace_path_that_is_not_a_namespace(rt, tmp_path):
    plain = tmp_path / "plain-file"
    plain.write_text("")

    def mutate(cfg):
        cfg["linux"]["namespaces"] = [
            ns if ns["type"] != "ipc" else {"type": "ipc", "path": str(plain)}
            for ns in cfg["linux"]["namespaces"]
        ]

    err = create_fails(rt, mutate)
    assert str(plain) in err


def test_user_namespace_with_an_impossible_mapping(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"].append({"type": "user"})
        # Two ranges that overlap inside: the kernel refuses the uid_map write.
        cfg["linux"]["uidMappings"] = [
            {"containerID": 0, "hostID": 100000, "size": 10},
            {"containerID": 5, "hostID": 200000, "size": 10},
        ]
        cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 10}]

    err = create_fails(rt, mutate)
    assert "uidMappings" in err or "uid_map" in err


# --- invalid configuration: one line naming the field by JSON pointer ---------------------------------


@pytest.mark.parametrize(
    "pointer,mutate",
    [
        ("/process/args", lambda cfg: cfg["process"].__setitem__("args", [])),
        ("/process/user/uid", lambda cfg: cfg["process"]["user"].__setitem__("uid", "root")),
        (
            "/process/rlimits/0/type",
            lambda cfg: cfg["process"]["rlimits"][0].__setitem__("type", "RLIMIT_NOPE"),
        ),
        ("/linux/namespaces/1/type", lambda cfg: cfg["linux"]["namespaces"][1].__setitem__("type", "nope")),
        ("/mounts/2/destination", lambda cfg: cfg["mounts"][2].__setitem__("destination", 42)),
        (
            "/process/capabilities/bounding/0",
            lambda cfg: cfg["process"]["capabilities"].__setitem__("bounding", ["CAP_NOPE"]),
        ),
        ("/linux/sysctl", lambda cfg: cfg["linux"].__setitem__("sysctl", {"kernel.msgmax": 5})),
        ("/ociVersion", lambda cfg: cfg.__setitem__("ociVersion", 1)),
    ],
)
def test_invalid_config_names_the_field(rt, pointer, mutate):
    err = create_fails(rt, mutate)
    assert pointer in err, err


def test_config_that_is_not_json(rt):
    bundle = rt.bundle(["/bin/true"])
    (bundle / "config.json").write_text('{"ociVersion": "1.3.0", "process": ')
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"config.json" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (rt.root / cid).exists()


def test_missing_rootfs(rt):
    def mutate(cfg):
        cfg["root"]["path"] = "/no/such/rootfs"

    err = create_fails(rt, mutate)
    assert "/root/path" in err


def test_missing_bundle(rt, tmp_path):
    cid = rt.new_id()
    proc = rt("create", "-b", str(tmp_path / "no-bundle"), cid)
    assert proc.returncode == 1 and b"no-bundle" in proc.stderr
    assert not (rt.root / cid).exists()


# --- cgroups ------------------------------------------------------------------------------------------


def test_cgroup_that_already_holds_processes(rt):
    """Someone else's busy cgroup is refused, and left exactly as it was (pyrunc did not make it)."""
    name = f"busy-{os.getpid()}"
    busy = pathlib.Path("/sys/fs/cgroup/pids") / CGROUP_PARENT / name
    made = []
    for d in (busy.parent, busy):
        if not d.exists():
            d.mkdir()
            made.append(d)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        (busy / "cgroup.procs").write_text(str(sleeper.pid))

        def mutate(cfg):
            cfg["linux"]["cgroupsPath"] = f"/{CGROUP_PARENT}/{name}"

        err = create_fails(rt, mutate)
        assert "already holds processes" in err and str(sleeper.pid) in err
        assert sleeper.poll() is None
        assert busy.is_dir()
        assert str(sleeper.pid) in (busy / "cgroup.procs").read_text().split()
        # The other hierarchies got nothing.
        assert not (pathlib.Path("/sys/fs/cgroup/memory") / CGROUP_PARENT / name).exists()
    finally:
        sleeper.kill()
        sleeper.wait()
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                pass


def test_state_json_survives_only_for_success(rt):
    """A create that fails after the init was cloned: no process of it, no state dir."""

    def mutate(cfg):
        cfg["linux"]["sysctl"] = {"kernel.no_such_sysctl": "1"}

    err = create_fails(rt, mutate)
    assert "kernel.no_such_sysctl" in err
    listed = rt("list", "-f", "json", check=True).stdout
    assert json.loads(listed or b"[]") in ([], None)


@pytest.mark.parametrize(
    "key,drop",
    [
        ("net.ipv4.ip_forward", "network"),
        ("kernel.msgmax", "ipc"),
        ("kernel.hostname", "uts"),
        ("vm.swappiness", None),
    ],
)
def test_sysctl_that_would_change_the_host_is_refused(rt, key, drop):
    def mutate(cfg):
        if drop:
            cfg["linux"]["namespaces"] = [ns for ns in cfg["linux"]["namespaces"] if ns["type"] != drop]
        cfg.pop("hostname", None)
        cfg["linux"]["sysctl"] = {key: "1"}

    with open("/proc/sys/" + key.replace(".", "/")) as handle:
        before = handle.read()
    err = create_fails(rt, mutate)
    assert f"/linux/sysctl/{key}" in err
    with open("/proc/sys/" + key.replace(".", "/")) as handle:
        assert handle.read() == before


def test_rlimit_soft_above_hard_fails_create(rt):
    def mutate(cfg):
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]

    err = create_fails(rt, mutate)
    assert "/process/rlimits/0/soft" in err


# --- the setup process ---------------------------------------------------------------------------------


def test_setup_process_that_cannot_start_fails_create_cleanly(rt, tmp_path, monkeypatch):
    """The vfork'd clone that execs pyrunc-init as the setup process (csrc/spawn.c) fails: here a build
    whose execveat gets no file. create fails with one line naming the step, and leaves nothing."""
    launcher = ablated_runtime(
        tmp_path / "core",
        {
            "csrc/spawn.c": [
                ('syscall(SYS_execveat, p->init_exe_fd, "", argv', 'syscall(SYS_execveat, -1, "", argv')
            ]
        },
        in_process_init=False,
    )
    monkeypatch.setenv("PYRUNC_BIN", str(launcher))
    err = create_fails(rt, lambda cfg: None)
    assert "execute the container setup process (pyrunc-init)" in err and "bad file descriptor" in err, err
