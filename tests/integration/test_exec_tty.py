"""`pyrunc exec` with a terminal: the pty master handed over --console-socket (as conmon and the
containerd shim take it), and a foreground `exec -t` relayed through a pty this test owns, with resizes."""

from __future__ import annotations

import fcntl
import json
import os
import pathlib
import pty
import select
import socket
import struct
import subprocess
import termios
import threading
import time

import pytest

from tests.integration.conftest import pyrunc_cmd
from tests.integration.test_exec import one_error_line, start_container

pytestmark = pytest.mark.usefixtures("delete_containers")


class ConsoleReceiver:
    """A unix socket that accepts one connection and takes the fd sent with SCM_RIGHTS (what engines do)."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = str(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.server.settimeout(30)
        self.fds: list[int] = []
        self.name = b""
        self.thread = threading.Thread(target=self._accept)
        self.thread.start()

    def _accept(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            self.name, self.fds, _, _ = socket.recv_fds(conn, 1024, 4)

    def master(self) -> int:
        self.thread.join(timeout=30)
        self.server.close()
        assert len(self.fds) == 1, self.fds
        return self.fds[0]


def read_until(fd: int, want: bytes, timeout: float = 20) -> bytes:
    buf = b""
    deadline = time.monotonic() + timeout
    while want not in buf:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {want!r}; got {buf!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the slave side is gone
            chunk = b""
        assert chunk, f"terminal closed before {want!r}; got {buf!r}"
        buf += chunk
    return buf


def wait_gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_exec_tty_through_console_socket(rt, tmp_path):
    cid, init = start_container(rt)
    receiver = ConsoleReceiver(tmp_path / "console.sock")
    pid_file = tmp_path / "exec.pid"
    proc = rt(
        "exec",
        "-t",
        "-d",
        "--console-socket",
        receiver.path,
        "--pid-file",
        str(pid_file),
        cid,
        "/bin/sh",
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    master = receiver.master()
    try:
        pid = int(pid_file.read_text())
        assert (
            pathlib.Path(f"/proc/{pid}/cgroup").read_text()
            == pathlib.Path(f"/proc/{init}/cgroup").read_text()
        )
        os.write(master, b"tty; echo marker-$((6*7))\n")
        out = read_until(master, b"marker-42")
        assert b"/dev/pts/" in out
        os.write(master, b"exit 5\n")
        assert wait_gone(pid)
    finally:
        os.close(master)


def test_exec_tty_conmon_form_process_json(rt, tmp_path):
    cid, _ = start_container(rt)
    receiver = ConsoleReceiver(tmp_path / "c.sock")
    doc = {
        "terminal": True,
        "consoleSize": {"height": 40, "width": 120},
        "user": {"uid": 0, "gid": 0},
        "args": ["/bin/sh", "-c", "stty size; read x; echo got-$x; sleep 1"],
        "env": ["PATH=/bin:/usr/bin", "TERM=xterm"],
        "cwd": "/",
    }
    spec = tmp_path / "process.json"
    spec.write_text(json.dumps(doc))
    pid_file = tmp_path / "p.pid"
    proc = rt(
        "exec",
        "--pid-file",
        str(pid_file),
        "--process",
        str(spec),
        "--detach",
        "--tty",
        "--console-socket",
        receiver.path,
        cid,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    master = receiver.master()
    try:
        read_until(master, b"40 120")
        os.write(master, b"hello\n")
        read_until(master, b"got-hello")
        assert wait_gone(int(pid_file.read_text()))
    finally:
        os.close(master)


def test_exec_detached_tty_needs_a_console_socket(rt):
    cid, _ = start_container(rt)
    line = one_error_line(rt("exec", "-t", "-d", cid, "true"))
    assert "console socket" in line


def test_exec_console_socket_that_nobody_listens_on_fails_cleanly(rt, tmp_path):
    cid, _ = start_container(rt)
    line = one_error_line(
        rt("exec", "-t", "-d", "--console-socket", str(tmp_path / "absent.sock"), cid, "sh")
    )
    assert "absent.sock" in line
    # Nothing of the failed exec stays in the container.
    pids = json.loads(rt("ps", "-f", "json", cid, check=True).stdout)
    assert pids == [rt.state(cid)["pid"]]


def set_winsize(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def test_foreground_exec_tty_relay_and_window_size(rt):
    cid, _ = start_container(rt)
    master, slave = pty.openpty()
    set_winsize(slave, 24, 80)

    def own_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    script = "stty size; read x; stty size; echo got-$x; exit 7"
    proc = subprocess.Popen(
        pyrunc_cmd() + ["--root", str(rt.root), "exec", "-t", cid, "sh", "-c", script],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=own_terminal,
    )
    os.close(slave)
    try:
        read_until(master, b"24 80")
        # Resizing our terminal sends SIGWINCH to the runtime, which passes the size on to the container's.
        set_winsize(master, 30, 100)
        time.sleep(0.5)
        os.write(master, b"go\r")
        out = read_until(master, b"got-go")
        assert b"30 100" in out
        assert proc.wait(timeout=20) == 7
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
