"""pyrunc: an OCI runtime (runtime-spec v1.3), a drop-in for runc."""

__version__ = "0.1.0"
OCI_VERSION = "1.3.0"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType


# Extension modules looked up by the code pack's finder rather than importlib's path search.
_EXTENSIONS = frozenset({"_json", "_cffi_backend", "pyrunc._native"})


def _serve_from_codepack() -> None:
    """Import pyrunc's modules from the code pack when one was built for this interpreter.

    The pack (pyrunc/codepack.py builds it at install time) holds the compiled code of the modules the
    container commands import, read here with one open+read. Each module's source is still stat'ed when it
    is imported: one edited since the pack was built is imported the normal way, from its .py and pyc.
    Any problem with the pack itself (missing, other Python, damaged) leaves the normal imports alone.
    """
    import marshal
    import os
    import sys
    from _frozen_importlib import ModuleSpec
    from _frozen_importlib_external import MAGIC_NUMBER
    from _imp import _fix_co_filename  # type: ignore[attr-defined]

    if os.environ.get("PYRUNC_CODEPACK") == "0":  # for comparisons and debugging
        return
    base = os.path.dirname(__path__[0])
    path = f"{__path__[0]}/__pycache__/codepack.{sys.implementation.cache_tag}.bin"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        data = memoryview(os.read(fd, os.fstat(fd).st_size))
    except OSError:
        return
    finally:
        os.close(fd)
    if bytes(data[:12]) != b"PYRUNCPK" + MAGIC_NUMBER:
        return
    try:
        size = int.from_bytes(data[12:16], "little")
        index = marshal.loads(data[16 : 16 + size])
    except (ValueError, EOFError, TypeError):
        return
    if not isinstance(index, dict):
        return
    blobs = data[16 + size :]

    class CodePack:
        """Meta-path finder and loader for the modules in the pack."""

        @staticmethod
        def find_spec(name: str, search: object = None, target: object = None) -> "ModuleSpec | None":
            entry = index.get(name)
            if entry is None:
                return _extension_spec(name) if name in _EXTENSIONS else None
            origin = base + entry[0]
            try:
                st = os.stat(origin)
            except OSError:
                return None
            if st.st_mtime_ns != entry[2] or st.st_size != entry[3]:
                return None
            spec = ModuleSpec(name, CodePack, origin=origin, is_package=entry[1])  # type: ignore[arg-type]
            spec.has_location = True
            spec.cached = path
            if entry[1]:
                spec.submodule_search_locations = [os.path.dirname(origin)]
            return spec

        @staticmethod
        def create_module(spec: ModuleSpec) -> None:
            return None

        @staticmethod
        def exec_module(module: object) -> None:
            exec(CodePack.get_code(module.__spec__.name), module.__dict__)  # type: ignore[attr-defined]

        @staticmethod
        def get_code(name: str) -> "CodeType":
            entry = index[name]
            code = marshal.loads(blobs[entry[4] : entry[5]])
            _fix_co_filename(code, base + entry[0])  # the package may have moved since the build
            return code

        @staticmethod
        def get_filename(name: str) -> str:
            return str(base + index[name][0])

        @staticmethod
        def is_package(name: str) -> bool:
            return bool(index[name][1])

        @staticmethod
        def get_data(file: str) -> bytes:  # pkgutil.get_data and friends: files beside the sources
            with open(file, "rb") as handle:
                return handle.read()

        @staticmethod
        def get_source(name: str) -> str:
            with open(base + index[name][0], encoding="utf-8") as handle:
                return handle.read()

    def _extension_spec(name: str) -> "ModuleSpec | None":
        """The extension modules the container commands load, found by a stat per candidate file.

        importlib's path search would list each directory on sys.path first (the stdlib's, the
        site-packages'), ~0.1-0.3 ms per module on a small VM. Only extension files are looked for, in
        sys.path order: a same-named .py earlier on the path (none is expected) would be missed here."""
        from _frozen_importlib_external import ExtensionFileLoader
        from _imp import extension_suffixes

        head, _, tail = name.rpartition(".")
        dirs = list(getattr(sys.modules.get(head), "__path__", ())) if head else [d for d in sys.path if d]
        for directory in dirs:
            for suffix in extension_suffixes():
                candidate = f"{directory}/{tail}{suffix}"
                try:
                    os.stat(candidate)
                except OSError:
                    continue
                spec = ModuleSpec(name, ExtensionFileLoader(name, candidate), origin=candidate)
                spec.has_location = True
                return spec
        return None

    if not any(getattr(finder, "__name__", "") == "CodePack" for finder in sys.meta_path):
        sys.meta_path.insert(0, CodePack)


_serve_from_codepack()
