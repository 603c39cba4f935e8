"""The code pack: pyrunc's modules imported from one pre-built file, an edited source imported the normal
way, and a missing or foreign pack ignored. Each case runs a fresh interpreter on a copy of the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import pyrunc
from pyrunc import codepack

PACKAGE = os.path.dirname(os.path.abspath(pyrunc.__file__))
# What the container commands import (create, run, start, state, kill, delete, exec, list, features).
HOT = [
    "pyrunc.cli.main",
    *(f"pyrunc.cli.cmd_{c}" for c in ("create", "run", "start", "state", "kill", "delete", "exec", "list",
                                      "features", "ps", "pause", "resume")),
    "pyrunc.runtime.create",
    "pyrunc.runtime.lifecycle",
    "pyrunc.runtime.plan",
    "pyrunc.runtime.execproc",
    "pyrunc.runtime.hooks",
    "pyrunc.runtime.console",
    "pyrunc.runtime.signals",
    "pyrunc.runtime.netdev",
    "pyrunc.runtime.mountns",
    "pyrunc.spec.load",
    "pyrunc.spec.validate",
    "pyrunc.cgroups.manager",
    "pyrunc.cgroups.v1",
    "pyrunc.cgroups.v2",
    "pyrunc.cgroups.devices",
    "pyrunc.security.lsm",
    "pyrunc.security.seccomp",
    "pyrunc.state.store",
    "pyrunc.features",
]

PROBE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import importlib
    for name in sys.argv[2:]:
        importlib.import_module(name)
    def loader(module):
        spec = module.__spec__
        return getattr(spec.loader, "__name__", type(spec.loader).__name__)
    print(json.dumps({n: [loader(m), m.__file__] for n, m in sys.modules.items()
                      if n == "pyrunc" or n.startswith("pyrunc.")}))
    """
)


def copy_package(dest: str) -> str:
    """A private copy of the package (with the built C core, without caches) under dest/pyrunc."""
    target = os.path.join(dest, "pyrunc")
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def probe(root: str, *modules: str) -> dict[str, list[str]]:
    out = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, root, *modules], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture
def packed(tmp_path):
    package = copy_package(str(tmp_path))
    codepack.build(package)
    return str(tmp_path), package


def test_hot_modules_come_from_the_pack(packed):
    root, package = packed
    loaded = probe(root, *HOT)
    assert loaded["pyrunc"][0] == "SourceFileLoader"  # the package itself installs the finder
    outside = {name: how for name, how in loaded.items() if name != "pyrunc" and how[0] != "CodePack"}
    assert outside == {}, "the container commands import modules the pack leaves out (codepack.COLD)"
    for name, (_, path) in loaded.items():
        assert path.startswith(package + os.sep), (name, path)


def test_an_edited_source_is_imported_from_itself(packed):
    root, package = packed
    with open(os.path.join(package, "errors.py"), "a") as handle:
        handle.write("\nEDITED_AFTER_THE_PACK = True\n")
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import pyrunc.errors, pyrunc.log
        print(pyrunc.errors.__spec__.loader.__class__.__name__, pyrunc.errors.EDITED_AFTER_THE_PACK,
              pyrunc.log.__spec__.loader.__name__)
        """
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, root], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["SourceFileLoader", "True", "CodePack"]


@pytest.mark.parametrize("damage", ["missing", "foreign magic", "truncated"])
def test_a_missing_or_damaged_pack_leaves_normal_imports(packed, damage):
    root, package = packed
    path = codepack.pack_path(package)
    if damage == "missing":
        os.unlink(path)
    elif damage == "foreign magic":
        with open(path, "r+b") as handle:
            handle.seek(8)
            handle.write(b"\0\0\0\0")
    else:
        os.truncate(path, 40)
    loaded = probe(root, "pyrunc.cli.main", "pyrunc.runtime.create")
    assert {how[0] for how in loaded.values()} == {"SourceFileLoader"}


def test_code_names_the_package_where_it_is_now(tmp_path):
    """Tracebacks point at the sources beside the pack, even after the package moved."""
    first = tmp_path / "first"
    first.mkdir()
    codepack.build(copy_package(str(first)))
    moved = tmp_path / "moved"
    os.rename(first, moved)
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import pyrunc.errors
        print(pyrunc.errors.__spec__.loader.__name__, pyrunc.errors.pointer_join.__code__.co_filename)
        """
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(moved)], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["CodePack", str(moved / "pyrunc" / "errors.py")]


def test_the_cli_runs_from_the_pack(packed, tmp_path):
    root, _ = packed
    import _cffi_backend

    code = ("import sys; sys.path[:0] = sys.argv[1:3]; from pyrunc.cli.main import main;"
            "sys.exit(main(sys.argv[3:]))")
    backend = os.path.dirname(_cffi_backend.__file__)
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code, root, backend, "--root",
                             str(tmp_path / "state"), "features"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ociVersionMax"] == pyrunc.OCI_VERSION


def test_cold_modules_are_real_modules():
    names = set(codepack.modules(PACKAGE)) | codepack.COLD
    for name in codepack.COLD:
        assert os.path.exists(os.path.join(os.path.dirname(PACKAGE), *name.split(".")) + ".py"), name
    assert "pyrunc.cli.main" in names and "pyrunc.cli.main" not in codepack.COLD


def test_pack_code_keeps_postponed_annotations_without_importing_future(packed):
    """The pack compiles `from __future__ import annotations` as a flag: annotations stay strings, the
    line numbers stay those of the source, and __future__ is never imported."""
    root, package = packed
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import pyrunc.state.store as store
        print(store.__spec__.loader.__name__, "__future__" in sys.modules,
              store.Store.write.__annotations__["state"], store.Store.write.__code__.co_firstlineno)
        """
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, root], capture_output=True, text=True,
                         check=True).stdout.split()
    with open(os.path.join(package, "state", "store.py")) as handle:
        line = next(n for n, text in enumerate(handle, 1) if text.lstrip().startswith("def write(self"))
    assert out == ["CodePack", "False", "dict[str,", "object]", str(line)]


def test_extension_modules_are_found_where_the_path_search_finds_them(packed):
    root, package = packed
    import _cffi_backend

    backend = os.path.dirname(_cffi_backend.__file__)
    code = textwrap.dedent(
        """
        import importlib.machinery, json, sys
        sys.path[:0] = sys.argv[1:3]
        import pyrunc
        names = ["_json", "_cffi_backend", "pyrunc._native"]
        finder = sys.meta_path[0]
        assert finder.__name__ == "CodePack"
        fast = {n: finder.find_spec(n).origin for n in names}
        search = importlib.machinery.PathFinder.find_spec
        slow = {n: search(n, pyrunc.__path__ if "." in n else None).origin for n in names}
        import pyrunc.native
        print(json.dumps([fast, slow, sys.modules["pyrunc._native"].__file__]))
        """
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, root, backend], capture_output=True,
                         text=True, check=True).stdout
    fast, slow, native = json.loads(out)
    assert fast == slow
    assert native == fast["pyrunc._native"] and native.startswith(package + os.sep)
