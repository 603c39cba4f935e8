"""Install the fast `pyrunc` launcher.

pip's console-script wrapper starts Python with site scanning (~70 ms of .pth processing on this kind of
machine, ~200 ms more behind a pyenv shim). Engines call the runtime 4-6 times per container, so the
launcher instead runs the real interpreter isolated and without site (`-I -S`), and puts the directory
that holds the installed package on sys.path itself.

Where the build made the C front end (pyrunc/pyrunc-front, docs/front.md), `install PATH` puts that
static executable at PATH and the Python launcher script at PATH + ".py": the front end serves plain
`state`, `start`, `kill` and `delete` itself and exec's the script (found as its own resolved path +
".py") for everything else. Without the front end, the script itself goes to PATH.

    python3 -m pyrunc.launcher install [--python INTERPRETER] [PATH]    (PATH: the pip script's path)

--python runs the launcher under another interpreter of the same Python version than the one pyrunc
was installed with, typically the distribution's /usr/bin/python3.X: Debian builds it with PGO and LTO
and links libpython statically, and on this kind of machine every pyrunc command then starts ~5 ms
sooner than under a pyenv build (docs/benchmarks.md). The choice is checked: that interpreter must
import pyrunc's C core from the installed paths.
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


def render(python: str | None = None) -> str:
    return TEMPLATE.format(python=python or os.path.realpath(sys.executable), paths=module_paths())


def module_paths() -> list[str]:
    """The directories holding the package and cffi's compiled backend (the C core imports it)."""
    import _cffi_backend

    import pyrunc

    paths: list[str] = []
    for module_file in (os.path.abspath(pyrunc.__file__), os.path.abspath(_cffi_backend.__file__)):
        in_package = module_file.endswith("__init__.py")
        parent = os.path.dirname(os.path.dirname(module_file) if in_package else module_file)
        if parent not in paths:
            paths.append(parent)
    return paths


def check_interpreter(python: str) -> str | None:
    """Why python cannot run this installation, or None when it can."""
    import subprocess

    want = tuple(sys.version_info[:2])
    probe = (
        f"import sys; sys.path[:0] = {module_paths()!r}; "
        f"assert sys.version_info[:2] == {want!r}, "
        f"'Python %d.%d, not {want[0]}.{want[1]}' % sys.version_info[:2]; "
        "import pyrunc.native; print('pyrunc-ok')"
    )
    try:
        done = subprocess.run([python, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return exc.strerror or str(exc)
    if done.returncode != 0 or done.stdout.strip() != "pyrunc-ok":
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else f"not a Python that runs pyrunc (exit status {done.returncode})"
    return None


def _replace(path: str, data: bytes) -> None:
    """Write path atomically (temp + rename), executable: a running engine never sees half a file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temp = f"{path}.tmp.{os.getpid()}"
    with open(temp, "wb") as handle:
        handle.write(data)
    os.chmod(temp, 0o755)
    os.rename(temp, path)


def _build_codepack() -> None:
    """The code pack of the package the launcher runs (pyrunc/codepack.py): optional, so a package
    directory this user cannot write only costs the faster start."""
    from . import codepack

    try:
        codepack.build(os.path.dirname(os.path.abspath(__file__)))
    except OSError as exc:
        sys.stderr.write(f"pyrunc.launcher: no code pack ({exc.strerror or exc}); imports stay per module\n")


def write_script(path: str, python: str | None = None) -> None:
    _replace(path, render(python).encode())


def install(path: str, python: str | None = None) -> bool:
    """Install at path; True when the C front end went there (with its script at path + ".py")."""
    _build_codepack()
    if os.path.isfile(FRONT_BINARY):
        with open(FRONT_BINARY, "rb") as handle:
            front = handle.read()
        # The script first: the front end must never run without the Python CLI it hands over to.
        write_script(path + ".py", python)
        _replace(path, front)
        return True
    write_script(path, python)
    return False


def main(argv: list[str]) -> int:
    usage = "usage: python3 -m pyrunc.launcher install [--python INTERPRETER] [PATH]\n"
    if not argv or argv[0] != "install":
        sys.stderr.write(usage)
        return 2
    args = argv[1:]
    python = None
    if args[:1] == ["--python"]:
        if len(args) < 2:
            sys.stderr.write(usage)
            return 2
        python = os.path.realpath(args[1])
        why = check_interpreter(python)
        if why is not None:
            sys.stderr.write(f"pyrunc.launcher: {python} cannot run this installation: {why}\n")
            return 1
        args = args[2:]
    if len(args) > 1:
        sys.stderr.write(usage)
        return 2
    target = args[0] if args else os.path.join(sysconfig.get_path("scripts"), "pyrunc")
    front = install(target, python)
    link = "/usr/local/bin/pyrunc"
    if not args and os.geteuid() == 0 and os.path.realpath(target) != os.path.realpath(link):
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
