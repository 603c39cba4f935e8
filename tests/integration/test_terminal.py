"""process.terminal: the pty master over --console-socket (SCM_RIGHTS), consoleSize, /dev/console, and a
foreground `run` relaying the container's pty to the caller's terminal."""

from __future__ import annotations

import array
import fcntl
import os
import pty
import select
import socket
import struct
import subprocess
import termios
import threading
import time

from tests.integration.conftest import pyrunc_cmd

TIOCGPTN = 0x80045430
SCRIPT = (
    "stty size; tty; stat -c %t:%T /dev/console; stat -c %t:%T $(tty); "
    "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; read line; echo got:$line"
)


def terminal_config(cfg: dict, rows: int = 33, cols: int = 77) -> None:
    cfg["process"]["terminal"] = True
    cfg["process"]["consoleSize"] = {"height": rows, "width": cols}


def read_until(fd: int, marker: bytes, timeout: float = 20) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the other side is gone
                break
            if not chunk:
                break
            data += chunk
    return data


class ConsoleSocket:
    """What conmon or containerd's shim does: listen, accept one connection, take the fd it carries."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.fd = -1
        self.payload = b""
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(30)
        try:
            conn, _ = self.sock.accept()
        except OSError:  # closed by a test the runtime never connected to (or timed out): nothing came
            return
        with conn:
            fds = array.array("i")
            msg, ancdata, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
            self.payload = msg
            for level, kind, data in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            if fds:
                self.fd = fds[0]

    def master(self) -> int:
        self.thread.join(30)
        return self.fd

    def close(self) -> None:
        self.sock.close()
        if self.fd >= 0:
            os.close(self.fd)


def test_console_socket_receives_the_pty_master(rt, tmp_path):
    bundle = rt.bundle(["/bin/sh", "-c", SCRIPT], mutate=terminal_config)
    cid = rt.new_id()
    console = ConsoleSocket(str(tmp_path / "console.sock"))
    try:
        rt("create", "--console-socket", console.path, "-b", str(bundle), cid, check=True)
        master = console.master()
        assert master >= 0, "no fd arrived over the console socket"
        # A pty master (TIOCGPTN answers only on one) with consoleSize already applied.
        assert struct.unpack("I", fcntl.ioctl(master, TIOCGPTN, b"\0" * 4))[0] >= 0
        assert struct.unpack("hhhh", fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8))[:2] == (33, 77)
        # From the container's own devpts: the mount it was opened on is not one of ours.
        with open(f"/proc/self/fdinfo/{master}") as handle:
            mnt_id = next(line.split()[1] for line in handle if line.startswith("mnt_id:"))
        with open("/proc/self/mountinfo") as handle:
            assert mnt_id not in {line.split()[0] for line in handle}
        rt("start", cid, check=True)
        out = read_until(master, b"all-ttys")
        os.write(master, b"typed-in\n")
        out += read_until(master, b"got:typed-in")
        text = out.decode(errors="replace").replace("\r", "")
        lines = text.splitlines()
        assert lines[0] == "33 77", text
        assert lines[1].startswith("/dev/pts/"), text
        # /dev/console is the container's pty (same device numbers).
        assert lines[2] == lines[3], text
        assert "all-ttys" in text and "got:typed-in" in text
    finally:
        console.close()
        rt("delete", "--force", cid)


def test_console_socket_that_refuses_fails_create(rt, tmp_path):
    bundle = rt.bundle(["/bin/true"], mutate=terminal_config)
    cid = rt.new_id()
    proc = rt("create", "--console-socket", str(tmp_path / "nobody-listens.sock"), "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"nobody-listens.sock" in proc.stderr
    assert not (rt.root / cid).exists()


def test_detached_terminal_without_console_socket_is_refused(rt):
    bundle = rt.bundle(["/bin/true"], mutate=terminal_config)
    cid = rt.new_id()
    proc = rt("run", "-d", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"console socket" in proc.stderr
    assert not (rt.root / cid).exists()


def test_foreground_run_relays_to_the_callers_pty(rt):
    bundle = rt.bundle(
        ["/bin/sh", "-c", SCRIPT + "; exit 7"], mutate=lambda cfg: terminal_config(cfg, 10, 20)
    )
    cid = rt.new_id()
    master, slave = pty.openpty()
    # The caller's terminal size wins over consoleSize, already for the process's first look.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("hhhh", 40, 100, 0, 0))
    proc = subprocess.Popen(
        pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), cid],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    try:
        out = read_until(master, b"all-ttys")
        os.write(master, b"hello-relay\n")
        out += read_until(master, b"got:hello-relay")
        assert proc.wait(timeout=30) == 7
        text = out.decode(errors="replace").replace("\r", "")
        lines = [line for line in text.splitlines() if line]
        assert "40 100" in lines, text
        assert any(line.startswith("/dev/pts/") for line in lines), text
        assert "all-ttys" in text and "got:hello-relay" in text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert not (rt.root / cid).exists()


def test_foreground_run_with_terminal_forwards_signals(rt):
    script = "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.1; done"
    bundle = rt.bundle(["/bin/sh", "-c", script], mutate=terminal_config)
    cid = rt.new_id()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), cid],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    try:
        assert b"ready" in read_until(master, b"ready")
        proc.send_signal(15)
        out = read_until(master, b"got-term")
        assert proc.wait(timeout=30) == 42
        assert b"got-term" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert not (rt.root / cid).exists()


def test_non_root_user_owns_its_terminal(rt):
    """As under runc: the pty's owner becomes the process's uid (group stays devpts' tty), so the user
    can reopen its own terminal by name."""

    def mutate(cfg):
        terminal_config(cfg)
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000}

    script = "stat -c '%u:%g' $(tty) /dev/console; echo via-name > $(tty) && echo reopened; echo END"
    bundle = rt.bundle(["/bin/sh", "-c", script], mutate=mutate)
    cid = rt.new_id()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), cid],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    try:
        out = read_until(master, b"END").decode(errors="replace").replace("\r", "")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    lines = out.splitlines()
    assert lines[:2] == ["1000:5", "1000:5"], out
    assert "via-name" in out and "reopened" in out
