"""cffi build script: compiles csrc/*.c out-of-line (API mode) into pyrunc._native.

pyrunc.h is both the C header and the cdef; cffi's parser takes no preprocessor lines, so those
are dropped here except integer #defines.
"""

from __future__ import annotations

import pathlib
import re

from cffi import FFI

CSRC = pathlib.Path(__file__).resolve().parent
ROOT = CSRC.parent


def _package_version() -> str:
    text = (ROOT / "pyrunc" / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise RuntimeError("pyrunc/__init__.py has no __version__")
    return match.group(1)


def _cdef_text() -> str:
    lines = []
    for line in (CSRC / "pyrunc.h").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            if re.match(r"#define\s+\w+\s+(0x[0-9a-fA-F]+|\d+)\s*(/\*.*\*/)?$", stripped):
                lines.append(re.sub(r"/\*.*\*/", "", stripped))
            continue
        lines.append(line)
    return "\n".join(lines)


ffibuilder = FFI()
ffibuilder.cdef(_cdef_text())

_sources = sorted(str(p.relative_to(ROOT)) for p in CSRC.glob("*.c"))
ffibuilder.set_source(
    "pyrunc._native",
    '#include "pyrunc.h"\n',
    sources=_sources,
    include_dirs=[str(CSRC)],
    libraries=["seccomp"],
    define_macros=[("_GNU_SOURCE", "1"), ("PYRUNC_VERSION", f'"{_package_version()}"')],
    extra_compile_args=["-Wall", "-Wextra", "-Wno-unused-parameter", "-O2", "-std=gnu11"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
