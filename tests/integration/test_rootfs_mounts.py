"""The root filesystem seen from inside real containers (pyrunc run), and the symlink attacks on it.

Each test runs busybox in a container and reads what it sees: /proc/self/mountinfo, /dev, the cgroup
tree, masked and read-only paths. The `rt` fixture fails a test that leaves a mount, cgroup or
container behind.
"""

from __future__ import annotations

import os

import pytest


def mountinfo(text: str) -> dict[str, list[str]]:
    """mount point -> [mount options, fstype, source, super options] from mountinfo lines."""
    out = {}
    for line in text.splitlines():
        if " - " not in line:
            continue
        head, tail = line.split(" - ", 1)
        fields = head.split()
        if len(fields) < 6:
            continue
        fstype, source, sup = (tail.split() + ["", "", ""])[:3]
        out[fields[4]] = [fields[5], fstype, source, sup, fields[3], head]
    return out


def run_sh(rt, script: str, mutate=None, **kw):
    proc = rt.run_container(["/bin/sh", "-c", script], mutate=mutate, **kw)
    return proc


def test_standard_mounts_from_inside(rt):
    proc = run_sh(rt, "cat /proc/self/mountinfo")
    assert proc.returncode == 0, proc.stderr
    m = mountinfo(proc.stdout.decode())
    assert m["/proc"][1] == "proc"
    assert m["/dev"][1] == "tmpfs" and "nosuid" in m["/dev"][0]
    assert m["/dev/pts"][1] == "devpts" and "ptmxmode=666" in m["/dev/pts"][3]
    assert m["/dev/mqueue"][1] == "mqueue"
    assert m["/dev/shm"][1] == "tmpfs"
    assert m["/sys"][1] == "sysfs" and m["/sys"][0].startswith("ro")
    cg = m["/sys/fs/cgroup"]
    assert cg[1] == "tmpfs" and cg[0].startswith("ro")
    assert m["/sys/fs/cgroup/unified"][1] == "cgroup2" and m["/sys/fs/cgroup/pids"][1] == "cgroup"
    assert all(m[p][0].startswith("ro") for p in m if p.startswith("/sys/fs/cgroup/"))
    # Masked and read-only paths (default spec lists; missing ones on this kernel are skipped).
    assert m["/proc/timer_list"][4] == "/null" and m["/proc/acpi"][1] == "tmpfs"
    assert m["/proc/sys"][0].startswith("ro") and m["/proc/irq"][0].startswith("ro")
    assert not any(p.startswith(str(rt.rootfs)) for p in m), "a host path shows through"


def test_devices_and_links(rt):
    def mutate(cfg):
        cfg["linux"]["devices"] = [
            {
                "path": "/dev/fuse",
                "type": "c",
                "major": 10,
                "minor": 229,
                "fileMode": 0o600,
                "uid": 7,
                "gid": 8,
            },
            {"path": "/dev/sub/fifo", "type": "p"},
        ]

    script = (
        "stat -c '%n %F %t:%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty "
        "/dev/fuse /dev/sub/fifo; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; "
        "echo hi > /dev/null && head -c 4 /dev/zero | wc -c"
    )
    proc = run_sh(rt, script, mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    assert "/dev/null character special file 1:3 666 0:0" in out
    assert "/dev/tty character special file 5:0 666 0:0" in out
    assert "/dev/fuse character special file a:e5 600 7:8" in out
    assert "/dev/sub/fifo fifo 0:0 666 0:0" in out
    assert out[8:13] == ["pts/ptmx", "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"]
    assert out[-1].strip() == "4"


def test_masked_and_readonly_paths_hold(rt):
    script = (
        "cat /proc/timer_list | wc -c; ls /proc/acpi | wc -l; "
        "(echo x > /proc/sys/kernel/domainname) 2>&1; touch /proc/acpi/x 2>&1; echo done"
    )
    proc = run_sh(rt, script)
    out = proc.stdout.decode()
    lines = out.splitlines()
    assert lines[0].strip() == "0" and lines[1].strip() == "0"
    assert out.count("Read-only file system") == 2
    assert lines[-1] == "done"


def test_root_readonly_and_binds(rt):
    src = rt.work / "share"
    src.mkdir()
    (src / "file").write_text("from the host\n")
    (rt.work / "single").write_text("one file\n")

    def mutate(cfg):
        cfg["root"]["readonly"] = True
        cfg["mounts"] += [
            {"destination": "/mnt/ro", "type": "bind", "source": str(src), "options": ["rbind", "ro"]},
            {
                "destination": "/mnt/rw",
                "type": "bind",
                "source": str(src),
                "options": ["bind", "rw", "nosuid"],
            },
            {
                "destination": "/etc/single",
                "type": "bind",
                "source": str(rt.work / "single"),
                "options": ["bind"],
            },
            {
                "destination": "/run",
                "type": "tmpfs",
                "source": "tmpfs",
                "options": ["nosuid", "size=1m", "mode=700"],
            },
        ]

    script = (
        "cat /mnt/ro/file /etc/single; touch /rootfile 2>&1; touch /mnt/ro/x 2>&1; "
        "touch /mnt/rw/y && echo rw-ok; touch /run/z && echo run-ok; stat -c %a /run; "
        "grep ' /run ' /proc/self/mountinfo"
    )
    proc = run_sh(rt, script, mutate=mutate)
    out = proc.stdout.decode()
    assert "from the host\none file\n" in out
    assert out.count("Read-only file system") == 2
    assert "rw-ok" in out and "run-ok" in out and "\n700\n" in out and "size=1024k" in out
    assert (src / "y").exists() and not (src / "x").exists()


def test_relative_bind_source_and_tmpcopyup(rt):
    def mutate(cfg):
        cfg["mounts"] += [
            {"destination": "/data", "type": "bind", "source": "hostdata", "options": ["rbind", "ro"]},
            {"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]},
        ]

    bundle = rt.bundle(
        ["/bin/sh", "-c", "cat /data/f; cat /etc/passwd | head -1; touch /etc/new && echo etc-rw"],
        mutate=mutate,
    )
    (bundle / "hostdata").mkdir()
    (bundle / "hostdata" / "f").write_text("bundle relative\n")
    proc = rt("run", "-b", str(bundle), rt.new_id())
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "bundle relative\n" in out and "root:x:0:0" in out and "etc-rw" in out
    assert not (rt.rootfs / "etc" / "new").exists(), "tmpcopyup wrote through to the rootfs"


def test_no_pivot(rt):
    bundle = rt.bundle(["/bin/sh", "-c", "ls /; cat /proc/self/mountinfo | wc -l"])
    proc = rt("run", "--no-pivot", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    assert "bin" in proc.stdout.decode().split()


def test_cgroup_mount_without_cgroup_namespace_shows_own_cgroup(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"] = [ns for ns in cfg["linux"]["namespaces"] if ns["type"] != "cgroup"]

    proc = run_sh(
        rt,
        "cat /sys/fs/cgroup/pids/cgroup.procs; grep ' /sys/fs/cgroup/pids ' /proc/self/mountinfo",
        mutate=mutate,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    # Only the container's processes, seen through its pid namespace, are in its own cgroup.
    assert "1" in [x.strip() for x in lines]
    assert "pyrunc-test-" in lines[-1] and lines[-1].split()[5].startswith("ro")


def test_rootfs_propagation_shared(rt):
    def mutate(cfg):
        cfg["linux"]["rootfsPropagation"] = "shared"

    proc = run_sh(rt, "awk '$5 == \"/\"' /proc/self/mountinfo", mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    assert "shared:" in proc.stdout.decode()


# ---- attacks: a rootfs that points at host paths ----


def test_attack_proc_symlink_is_refused(rt, tmp_path):
    host = tmp_path / "hostproc"
    host.mkdir()

    def mutate(cfg):
        cfg["root"]["path"] = "rootfs"

    bundle = rt.bundle(["/bin/true"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "proc").rmdir()
    (bundle / "rootfs" / "proc").symlink_to(host)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode != 0
    assert b"symlink" in proc.stderr
    assert not os.path.ismount(host) and list(host.iterdir()) == []


def test_attack_mount_destination_symlink_stays_inside(rt, tmp_path):
    host = tmp_path / "hostdir"
    host.mkdir()
    (host / "keep").write_text("host\n")

    def mutate(cfg):
        cfg["mounts"].append({"destination": "/etc/evil", "type": "tmpfs", "source": "tmpfs", "options": []})

    bundle = rt.bundle(["/bin/sh", "-c", "touch /etc/evil/inside; echo ran"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "etc" / "evil").symlink_to(host)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    # Either refused (the link's target does not exist inside the rootfs) or mounted inside it.
    assert not os.path.ismount(host)
    assert [p.name for p in host.iterdir()] == ["keep"] and (host / "keep").read_text() == "host\n"
    if proc.returncode == 0:
        assert not (host / "inside").exists()


def test_attack_dev_null_symlink_leaves_host_file(rt, tmp_path):
    target = tmp_path / "shadow"
    target.write_text("secret\n")
    target.chmod(0o600)

    def mutate(cfg):
        # No tmpfs on /dev: the devices go into the rootfs's own /dev, where the attacker put a symlink.
        cfg["mounts"] = [m for m in cfg["mounts"] if not m["destination"].startswith("/dev")]

    bundle = rt.bundle(["/bin/true"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "dev" / "null").symlink_to(target)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode != 0 and b"/dev/null" in proc.stderr
    st = target.stat()
    assert st.st_mode & 0o7777 == 0o600 and target.read_text() == "secret\n"


def test_attack_masked_path_symlink_masks_nothing_outside(rt, tmp_path):
    target = tmp_path / "hostsecret"
    target.write_text("host\n")

    def mutate(cfg):
        cfg["linux"]["maskedPaths"] = ["/etc/secret"]

    bundle = rt.bundle(["/bin/sh", "-c", "cat /etc/secret 2>&1; echo rc=$?"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "etc" / "secret").symlink_to(target)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    # The link resolves inside the rootfs, where nothing exists: nothing masked, nothing of the host read.
    assert b"host" not in proc.stdout
    assert target.read_text() == "host\n" and not os.path.ismount(target)


@pytest.mark.parametrize("path", ["/proc", "/sys"])
def test_destination_is_a_file_not_a_directory(rt, path):
    def mutate(cfg):
        cfg["root"]["path"] = "rootfs"

    bundle = rt.bundle(["/bin/true"], mutate=mutate, own_rootfs=True)
    target = bundle / "rootfs" / path.lstrip("/")
    target.rmdir()
    target.write_text("")
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode != 0 and path.encode() in proc.stderr


def test_mount_failure_is_reported_with_destination(rt):
    def mutate(cfg):
        cfg["mounts"].append({"destination": "/mnt/x", "type": "nosuchfs", "source": "none"})

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode != 0
    assert b"/mnt/x" in proc.stderr and b"no such device" in proc.stderr


def test_user_namespace_container(rt):
    def mutate(cfg):
        linux = cfg["linux"]
        linux["namespaces"] = [ns for ns in linux["namespaces"] if ns["type"] != "network"] + [
            {"type": "user"}
        ]
        # Identity map: the test rootfs lives under pytest's 0700 tmp dirs, which another host uid cannot
        # traverse. Any user namespace refuses mknod and a sysfs for a foreign netns all the same.
        linux["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]
        linux["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]

    script = "id -u; stat -c '%n %t:%T' /dev/null /dev/tty; grep -E ' /(dev/null|sys) ' /proc/self/mountinfo"
    proc = run_sh(rt, script, mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert out.splitlines()[0] == "0"
    assert "/dev/null 1:3" in out and "/dev/tty 5:0" in out
    m = mountinfo(out)
    # No mknod in a user namespace: the host's nodes are bound; no sysfs of our own without a netns.
    assert m["/dev/null"][1] == "devtmpfs" and m["/dev/null"][4] == "/null"
    assert m["/sys"][1] == "sysfs" and m["/sys"][0].startswith("ro")


def test_console_is_the_pty(rt, tmp_path):
    import array
    import socket
    import threading
    import time

    sock_path = str(tmp_path / "console.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(1)
    got: list[int] = []

    def accept() -> None:
        conn, _ = server.accept()
        fds = array.array("i")
        _, ancdata, _, _ = conn.recvmsg(1024, socket.CMSG_LEN(fds.itemsize))
        for level, kind, data in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: fds.itemsize])
        got.extend(fds)
        conn.close()

    thread = threading.Thread(target=accept)
    thread.start()

    def mutate(cfg):
        cfg["process"]["terminal"] = True

    script = "stat -c 'console %t:%T' /dev/console; stat -L -c 'stdin %t:%T' /proc/self/fd/0"
    bundle = rt.bundle(["/bin/sh", "-c", script], mutate=mutate)
    cid = rt.new_id()
    try:
        rt("create", "--console-socket", sock_path, "-b", str(bundle), cid, check=True)
        thread.join(10)
        assert got, "no pty master received"
        rt("start", cid, check=True)
        out = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and out.count(b"\n") < 2:
            try:
                chunk = os.read(got[0], 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        lines = dict(line.split() for line in out.decode().replace("\r", "").splitlines() if line.strip())
        assert lines["console"] == lines["stdin"] and lines["console"].startswith("88:")
    finally:
        server.close()
        for fd in got:
            os.close(fd)
        rt("delete", "--force", cid)
