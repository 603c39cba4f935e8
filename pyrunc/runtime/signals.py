"""Signal names and numbers (x86-64 Linux), without importing `signal` (which pulls in enum)."""

from __future__ import annotations

from ..errors import UsageError

SIGNALS = {
    "HUP": 1,
    "INT": 2,
    "QUIT": 3,
    "ILL": 4,
    "TRAP": 5,
    "ABRT": 6,
    "IOT": 6,
    "BUS": 7,
    "FPE": 8,
    "KILL": 9,
    "USR1": 10,
    "SEGV": 11,
    "USR2": 12,
    "PIPE": 13,
    "ALRM": 14,
    "TERM": 15,
    "STKFLT": 16,
    "CHLD": 17,
    "CLD": 17,
    "CONT": 18,
    "STOP": 19,
    "TSTP": 20,
    "TTIN": 21,
    "TTOU": 22,
    "URG": 23,
    "XCPU": 24,
    "XFSZ": 25,
    "VTALRM": 26,
    "PROF": 27,
    "WINCH": 28,
    "IO": 29,
    "POLL": 29,
    "PWR": 30,
    "SYS": 31,
}
SIGRTMIN = 34
SIGRTMAX = 64


def signal_number(text: str) -> int:
    """Accept 15, TERM, SIGTERM, sigterm, RTMIN+3, SIGRTMAX-1 as runc does."""
    raw = text.strip()
    if raw.isdigit():
        number = int(raw)
        if 0 < number <= SIGRTMAX:
            return number
        raise UsageError(f"invalid signal: {text}")
    name = raw.upper()
    if name.startswith("SIG"):
        name = name[3:]
    if name in SIGNALS:
        return SIGNALS[name]
    for base, value in (("RTMIN", SIGRTMIN), ("RTMAX", SIGRTMAX)):
        if name == base:
            return value
        if name.startswith(base + "+") or name.startswith(base + "-"):
            try:
                offset = int(name[len(base) + 1 :])
            except ValueError:
                break
            number = value + offset if name[len(base)] == "+" else value - offset
            if SIGRTMIN <= number <= SIGRTMAX:
                return number
    raise UsageError(f"unknown signal {text!r}")
