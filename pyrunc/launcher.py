"""Install the fast `pyrunc` launcher.

pip's console-script wrapper starts Python with site scanning (~70 ms of .pth processing on this kind of
machine, ~200 ms more behind a pyenv shim). Engines call the runtime 4-6 times per container, so the
launcher instead runs the real interpreter isolated and without site (`-I -S`), and puts the directory
that holds the installed package on sys.path itself.

    python3 -m pyrunc.launcher install [PATH]    (default: the pip-generated script's path)
"""

from __future__ import annotations

import os
import sys
import sysconfig

TEMPLATE = """#!{python} -IS
# pyrunc launcher, written by `python3 -m pyrunc.launcher install`: isolated, no site scanning.
import sys
sys.path[:0] = {paths!r}
from pyrunc.cli.main import entry
entry()
"""


def render() -> str:
    import _cffi_backend

    import pyrunc

    # The package and cffi's compiled backend, which the C core's module needs at import.
    paths = []
    for module_file in (
        os.path.dirname(os.path.abspath(pyrunc.__file__)),
        os.path.abspath(_cffi_backend.__file__),
    ):
        parent = os.path.dirname(module_file)
        if parent not in paths:
            paths.append(parent)
    python = os.path.realpath(sys.executable)
    return TEMPLATE.format(python=python, paths=paths)


def install(path: str) -> None:
    text = render()
    temp = f"{path}.tmp.{os.getpid()}"
    with open(temp, "w") as handle:
        handle.write(text)
    os.chmod(temp, 0o755)
    os.rename(temp, path)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "install":
        sys.stderr.write("usage: python3 -m pyrunc.launcher install [PATH]\n")
        return 2
    target = argv[1] if len(argv) > 1 else os.path.join(sysconfig.get_path("scripts"), "pyrunc")
    install(target)
    link = "/usr/local/bin/pyrunc"
    if len(argv) == 1 and os.geteuid() == 0 and os.path.realpath(target) != os.path.realpath(link):
        try:
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(target, link)
        except OSError:
            pass
    print(f"installed the pyrunc launcher at {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
