"""Helpers shared by subcommands: parsing with --help, the container-id argument."""

from __future__ import annotations

import os
import sys

from ..errors import UsageError
from .args import Command, Parsed, parse

HELP_FLAG_NAMES = ("--help", "-h", "-help")


def parse_command(cmd: Command, argv: list[str]) -> Parsed | None:
    """Parse argv for cmd; None means help was printed."""
    if any(a in HELP_FLAG_NAMES for a in argv[: _first_positional(argv, cmd)]):
        sys.stdout.write(cmd.help_text())
        return None
    opts = parse(cmd.flags, argv, where=cmd.name)
    if len(opts.args) < cmd.min_args:
        if cmd.min_args == 1 and not opts.args:
            raise UsageError(f'{cmd.name}: "{cmd.name}" requires a minimum of 1 argument')
        raise UsageError(f'{cmd.name}: "{cmd.name}" requires a minimum of {cmd.min_args} arguments')
    if cmd.max_args is not None and len(opts.args) > cmd.max_args:
        raise UsageError(f'{cmd.name}: "{cmd.name}" requires a maximum of {cmd.max_args} argument(s)')
    return opts


def _first_positional(argv: list[str], cmd: Command) -> int:
    takes_value = {n for f in cmd.flags if f.kind != "bool" for n in f.names}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--" or not token.startswith("-") or token == "-":
            return i
        name = token.lstrip("-").partition("=")[0]
        i += 2 if name in takes_value and "=" not in token else 1
    return len(argv)


def listen_fds() -> tuple[int, list[str]]:
    """Socket activation: fds 3.. passed by systemd to us are passed on, as runc does."""
    count = os.environ.get("LISTEN_FDS")
    if not count or os.environ.get("LISTEN_PID") not in (None, "", str(os.getpid())):
        return 0, []
    try:
        n = int(count)
    except ValueError:
        return 0, []
    if n <= 0:
        return 0, []
    return n, [f"LISTEN_FDS={n}", "LISTEN_PID=1"]
