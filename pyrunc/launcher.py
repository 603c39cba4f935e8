"""Install the fast `pyrunc` launcher.

pip's console-script wrapper starts Python with site scanning (~70 ms of .pth processing on this kind of
machine, ~200 ms more behind a pyenv shim). Engines call the runtime 4-6 times per container, so the
launcher instead runs the real interpreter isolated and without site (`-I -S`), and puts the directory
that holds the installed package on sys.path itself.

Where the build made the C front end (pyrunc/pyrunc-front, docs/front.md), `install PATH` puts that
static executable at PATH and the Python launcher script at PATH + ".py": the front end serves plain
`state`, `start`, `kill` and `delete` itself and exec's the script (found as its own resolved path +
".py") for everything else. Without the front end, the script itself goes to PATH.

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

FRONT_BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyrunc-front")


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


def _replace(path: str, data: bytes) -> None:
    """Write path atomically (temp + rename), executable: a running engine never sees half a file."""
    temp = f"{path}.tmp.{os.getpid()}"
    with open(temp, "wb") as handle:
        handle.write(data)
    os.chmod(temp, 0o755)
    os.rename(temp, path)


def write_script(path: str) -> None:
    _replace(path, render().encode())


def install(path: str) -> bool:
    """Install at path; True when the C front end went there (with its script at path + ".py")."""
    if os.path.isfile(FRONT_BINARY):
        with open(FRONT_BINARY, "rb") as handle:
            front = handle.read()
        # The script first: the front end must never run without the Python CLI it hands over to.
        write_script(path + ".py")
        _replace(path, front)
        return True
    write_script(path)
    return False


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "install":
        sys.stderr.write("usage: python3 -m pyrunc.launcher install [PATH]\n")
        return 2
    target = argv[1] if len(argv) > 1 else os.path.join(sysconfig.get_path("scripts"), "pyrunc")
    front = install(target)
    link = "/usr/local/bin/pyrunc"
    if len(argv) == 1 and os.geteuid() == 0 and os.path.realpath(target) != os.path.realpath(link):
        try:
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(target, link)
        except OSError:
            pass
    if front:
        print(f"installed the pyrunc front end at {target} (python cli: {target}.py)")
    else:
        print(f"installed the pyrunc launcher at {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
