"""Build the code pack: pyrunc's compiled modules in one file, which pyrunc/__init__.py serves imports from.

Why: engines start the runtime 4-6 times per container, and each start imports ~45 of pyrunc's modules.
On a small VM every import costs ~0.1 ms before its code runs -- importlib's path search, a stat of the
source, open/fstat/read/close of the pyc -- mostly in system calls that are slow here. From the pack,
an import costs one stat of the source and an unmarshal (measured: `run` starts ~2-3 ms sooner).

    python3 -m pyrunc.codepack [PACKAGE_DIR]     (the launcher's install step runs it)

Layout of pyrunc/__pycache__/codepack.<cache tag>.bin:
    b"PYRUNCPK", importlib's MAGIC_NUMBER (4 bytes), index length (u32 little-endian),
    index: marshal of {module name: (path relative to the package's parent, is package,
                                     source st_mtime_ns, source st_size, start, end)},
    then the marshalled code objects; start/end are offsets after the index.

The pack holds every module except COLD ones: big modules the container commands never import (a module
left out is imported the normal way, so this list is only about speed). A source edited after the build is
noticed by its stat and imported the normal way, so a stale pack never runs old code. PYRUNC_CODEPACK=0
in the environment turns the pack off.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType

MAGIC = b"PYRUNCPK"
COLD = frozenset(
    {
        "pyrunc.__main__",
        "pyrunc.launcher",
        "pyrunc.demo",
        "pyrunc.codepack",
        "pyrunc.spec.gen_fastcheck",
        "pyrunc.spec.reference",
        "pyrunc.spec.patterns",
        "pyrunc.spec.schemas",
        "pyrunc.spec.default",
        "pyrunc.spec.fastcheck_rare",
        "pyrunc.spec.fastcheck_unknown",
        "pyrunc.cgroups.testsupport",
        "pyrunc.cgroups.stats",
        "pyrunc.cgroups.events",
        "pyrunc.cgroups.update_args",
        "pyrunc.cli.cmd_spec",
        "pyrunc.cli.cmd_checkpoint",
        "pyrunc.cli.cmd_restore",
        "pyrunc.cli.cmd_events",
        "pyrunc.cli.cmd_update",
    }
)


def pack_path(package_dir: str) -> str:
    return os.path.join(package_dir, "__pycache__", f"codepack.{sys.implementation.cache_tag}.bin")


def modules(package_dir: str) -> dict[str, str]:
    """{module name: source path} of the package's modules that go in the pack."""
    parent = os.path.dirname(package_dir)
    found = {}
    for directory, subdirs, files in os.walk(package_dir):
        subdirs[:] = sorted(d for d in subdirs if d.isidentifier())
        for name in sorted(files):
            stem, ext = os.path.splitext(name)
            if ext != ".py" or not stem.isidentifier():
                continue
            path = os.path.join(directory, name)
            parts = os.path.relpath(path, parent)[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts.pop()
            module = ".".join(parts)
            if module not in COLD:
                found[module] = path
    return found


FUTURE_LINE = b"from __future__ import annotations\n"


def compile_module(source: bytes, path: str) -> CodeType:
    """The module's code, with `from __future__ import annotations` turned into a compiler flag.

    The statement is also a real import at run time, and `__future__` is the one module of the stdlib
    that the container commands would otherwise find through importlib's path search (listing the
    stdlib directory: ~0.3 ms). The line is blanked, not removed, so line numbers stay true."""
    flags = 0
    if FUTURE_LINE in source:
        import __future__

        source = source.replace(FUTURE_LINE, b"\n", 1)
        flags = __future__.annotations.compiler_flag
    return compile(source, path, "exec", flags=flags, dont_inherit=True)


def build(package_dir: str | None = None) -> str:
    """Write the pack for the package at package_dir (default: this one); returns its path."""
    package_dir = os.path.abspath(package_dir or os.path.dirname(__file__))
    parent = os.path.dirname(package_dir)
    index: dict[str, tuple[str, bool, int, int, int, int]] = {}
    blobs: list[bytes] = []
    offset = 0
    for module, path in modules(package_dir).items():
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            source = handle.read()
        blob = marshal.dumps(compile_module(source, path))
        rel = os.sep + os.path.relpath(path, parent)
        is_package = path.endswith("__init__.py")
        index[module] = (rel, is_package, st.st_mtime_ns, st.st_size, offset, offset + len(blob))
        blobs.append(blob)
        offset += len(blob)
    head = marshal.dumps(index)
    out = pack_path(package_dir)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    temp = f"{out}.{os.getpid()}.tmp"
    with open(temp, "wb") as handle:
        handle.write(MAGIC + MAGIC_NUMBER + len(head).to_bytes(4, "little") + head)
        for blob in blobs:
            handle.write(blob)
    os.rename(temp, out)
    return out


def main(argv: list[str]) -> int:
    out = build(argv[0] if argv else None)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
