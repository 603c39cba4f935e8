"""Relaying a container's pty to the caller's terminal for a foreground `run` or `exec -t`."""

from __future__ import annotations

import os


def copy_winsize(src_fd: int, dst_fd: int) -> None:
    import fcntl
    import termios

    try:
        size = fcntl.ioctl(src_fd, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(dst_fd, termios.TIOCSWINSZ, size)
    except OSError:
        pass


def relay_until_exit(master: int, pid: int, pending: list[int]) -> int:
    """Copy stdin -> master and master -> stdout until the process exits; forward signals; resize on WINCH."""
    import select
    import termios
    import tty

    stdin_tty = os.isatty(0)
    saved = None
    if stdin_tty:
        saved = termios.tcgetattr(0)
        tty.setraw(0)
        copy_winsize(0, master)
    stdin_open = True
    status = None
    try:
        while True:
            while pending:
                sig = pending.pop(0)
                if sig == 28:
                    if stdin_tty:
                        copy_winsize(0, master)
                else:
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
            if status is None:
                done, raw = os.waitpid(pid, os.WNOHANG)
                if done == pid:
                    status = raw
            watch = [master] + ([0] if stdin_open else [])
            try:
                ready, _, _ = select.select(watch, [], [], 0.1 if status is None else 0)
            except InterruptedError:
                continue
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if data:
                    os.write(1, data)
                    continue
                if status is not None:
                    break
            elif status is not None:
                break
            if stdin_open and 0 in ready:
                data = os.read(0, 65536)
                if not data:
                    stdin_open = False
                    os.write(master, b"\x04")
                else:
                    os.write(master, data)
    finally:
        if saved is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        os.close(master)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)
