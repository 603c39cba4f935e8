"""A small runc-compatible flag parser (argparse costs ~17 ms of start-up).

Accepts what runc's urfave/cli accepts and engines send: `--flag value`, `--flag=value`, `-flag value`,
single-letter aliases (`-b B`, `-d`), repeated list flags, and boolean flags with `=true/false`. Flag
parsing stops at the first positional argument or `--`, as in runc (so `exec ID sh -c x` works).
"""

from __future__ import annotations

from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

BOOL = "bool"
STR = "str"
INT = "int"
LIST = "list"


class Flag:
    __slots__ = ("names", "kind", "dest", "default", "help")

    def __init__(self, names: str, kind: str = BOOL, default: object = None, help: str = "") -> None:
        self.names = tuple(names.split(","))
        self.kind = kind
        self.dest = self.names[0].replace("-", "_")
        if default is None:
            default = False if kind == BOOL else ([] if kind == LIST else None)
        self.default = default
        self.help = help


class Command:
    def __init__(
        self,
        name: str,
        usage: str,
        flags: Sequence[Flag],
        summary: str = "",
        min_args: int = 0,
        max_args: int | None = None,
    ) -> None:
        self.name = name
        self.usage = usage
        self.flags = list(flags)
        self.summary = summary
        self.min_args = min_args
        self.max_args = max_args

    def help_text(self) -> str:
        lines = [
            f"NAME:\n   pyrunc {self.name} - {self.summary}",
            f"USAGE:\n   pyrunc {self.name} {self.usage}",
        ]
        if self.flags:
            lines.append("OPTIONS:")
            for flag in self.flags:
                spelled = ", ".join(("-" if len(n) == 1 else "--") + n for n in flag.names)
                value = "" if flag.kind == BOOL else " value"
                lines.append(f"   {spelled}{value}\t{flag.help}")
        return "\n".join(lines) + "\n"


class Parsed:
    """Parsed options by dest name, plus positionals."""

    def __init__(self, values: dict[str, object], args: list[str]) -> None:
        self.values = values
        self.args = args

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name))

    def items(self, name: str) -> list[str]:
        value = self.values.get(name)
        return [str(v) for v in value] if isinstance(value, list) else []

    def number(self, name: str, default: int = 0) -> int:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default


_TRUE = {"true", "1", "t", "T", "TRUE", "True"}
_FALSE = {"false", "0", "f", "F", "FALSE", "False"}


def parse(
    flags: Sequence[Flag], argv: Sequence[str], *, where: str, stop_at_positional: bool = True
) -> Parsed:
    by_name: dict[str, Flag] = {}
    for flag in flags:
        for name in flag.names:
            by_name[name] = flag
    values: dict[str, object] = {f.dest: ([] if f.kind == LIST else f.default) for f in flags}
    args: list[str] = []
    i = 0
    n = len(argv)
    while i < n:
        token = argv[i]
        i += 1
        if token == "--":
            args.extend(argv[i:])
            break
        if len(token) < 2 or token[0] != "-" or token == "-":
            args.append(token)
            if stop_at_positional:
                args.extend(argv[i:])
                break
            continue
        body = token.lstrip("-")
        name, eq, inline = body.partition("=")
        found = by_name.get(name)
        if found is None:
            raise UsageError(f"{where}: flag provided but not defined: -{name}")
        flag = found
        if flag.kind == BOOL:
            if eq:
                if inline in _TRUE:
                    values[flag.dest] = True
                elif inline in _FALSE:
                    values[flag.dest] = False
                else:
                    raise UsageError(f"{where}: invalid boolean value {inline!r} for -{name}")
            else:
                values[flag.dest] = True
            continue
        if eq:
            raw = inline
        else:
            if i >= n:
                raise UsageError(f"{where}: flag needs an argument: -{name}")
            raw = argv[i]
            i += 1
        if flag.kind == INT:
            try:
                values[flag.dest] = int(raw, 10)
            except ValueError:
                raise UsageError(f"{where}: invalid value {raw!r} for flag -{name}: parse error") from None
        elif flag.kind == LIST:
            current = values[flag.dest]
            assert isinstance(current, list)
            current.append(raw)
        else:
            values[flag.dest] = raw
    return Parsed(values, args)
