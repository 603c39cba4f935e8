"""Runtime logging in runc's formats: logrus text or JSON lines, to --log (default stderr).

Engines read the last `{"level":"error","msg":...}` line of the --log file to show the user what failed.
"""

from __future__ import annotations

import os
import sys
import time

from . import jsonio

_LEVELS = {"debug": 0, "info": 1, "warning": 2, "error": 3}


def _rfc3339() -> str:
    now = time.time()
    frac = int((now % 1) * 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{frac:09d}Z"


def _quote(text: str) -> str:
    if text and all(c.isalnum() or c in "-_./:@" for c in text):
        return text
    return jsonio.dumps(text)


class Logger:
    def __init__(self) -> None:
        self.path: str | None = None
        self.fmt = "text"
        self.debug_enabled = False
        self._fd: int | None = None

    def configure(self, path: str | None, fmt: str, debug: bool) -> None:
        self.path = path
        self.fmt = fmt
        self.debug_enabled = debug

    def _open(self) -> int | None:
        if self._fd is None and self.path:
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                sys.stderr.write(f"pyrunc: open log file {self.path}: {(exc.strerror or str(exc)).lower()}\n")
                self.path = None
        return self._fd

    def log(self, level: str, msg: str) -> None:
        if level == "debug" and not self.debug_enabled:
            return
        if self.fmt == "json":
            line = jsonio.dumps({"level": level, "msg": msg, "time": _rfc3339()}) + "\n"
        else:
            line = f'time="{_rfc3339()}" level={level} msg={_quote(msg)}\n'
        fd = self._open()
        if fd is not None:
            try:
                os.write(fd, line.encode("utf-8", "replace"))
            except OSError:
                pass
        elif level != "error":
            # Errors reach stderr through the CLI's own one-line report; the rest goes here.
            sys.stderr.write(line)

    def debug(self, msg: str) -> None:
        if self.debug_enabled:
            self.log("debug", msg)

    def info(self, msg: str) -> None:
        self.log("info", msg)

    def warning(self, msg: str) -> None:
        self.log("warning", msg)

    def error(self, msg: str) -> None:
        self.log("error", msg)


LOG = Logger()
