"""setuptools glue: the cffi C core, the static pyrunc-init binary built from the same sources, and
oci-schemas/ shipped inside the package as pyrunc/spec/schemas/."""

import pathlib
import re
import shutil

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).resolve().parent
CSRC = ROOT / "csrc"


def _version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"', (ROOT / "pyrunc" / "__init__.py").read_text(), re.M)
    assert match, "pyrunc/__init__.py has no __version__"
    return match.group(1)


class BuildWithSchemas(build_py):
    def run(self) -> None:
        super().run()
        target = pathlib.Path(self.build_lib) / "pyrunc" / "spec" / "schemas"
        target.mkdir(parents=True, exist_ok=True)
        for schema in sorted((ROOT / "oci-schemas").glob("*.json")):
            shutil.copy2(schema, target / schema.name)


class BuildWithInit(build_ext):
    """Also link csrc/ + csrc/init/initmain.c into the static executable the container init re-execs."""

    def run(self) -> None:
        super().run()
        sources = sorted(str(p.relative_to(ROOT)) for p in CSRC.glob("*.c")) + ["csrc/init/initmain.c"]
        macros = [("_GNU_SOURCE", "1"), ("PYRUNC_VERSION", f'"{_version()}"')]
        objects = self.compiler.compile(
            sources,
            output_dir=str(pathlib.Path(self.build_temp) / "pyrunc-init"),
            macros=macros,
            include_dirs=[str(CSRC)],
            extra_postargs=["-Wall", "-Wextra", "-Wno-unused-parameter", "-Os", "-std=gnu11",
                            "-ffunction-sections", "-fdata-sections"],
        )
        package_dir = ROOT / "pyrunc" if self.inplace else pathlib.Path(self.build_lib) / "pyrunc"
        self.compiler.link_executable(
            objects, "pyrunc-init", output_dir=str(package_dir), libraries=["seccomp"],
            # Only what the init reaches is kept (no libseccomp compiler, no cffi glue): every page of
            # this binary counts in each waiting init's memory.
            extra_postargs=["-static", "-s", "-Wl,--gc-sections"],
        )
        self._build_front(package_dir)

    def _build_front(self, package_dir: pathlib.Path) -> None:
        """pyrunc-front (csrc/front/, docs/front.md): `pyrunc` as a static executable serving plain state,
        start, kill and delete itself, exec'ing the Python CLI (its own path + ".py") for the rest."""
        sources = sorted(str(p.relative_to(ROOT)) for p in (CSRC / "front").glob("*.c")) + ["csrc/errors.c"]
        objects = self.compiler.compile(
            sources,
            output_dir=str(pathlib.Path(self.build_temp) / "pyrunc-front"),
            macros=[("_GNU_SOURCE", "1")],
            include_dirs=[str(CSRC)],
            extra_postargs=["-Wall", "-Wextra", "-Os", "-std=gnu11",
                            "-ffunction-sections", "-fdata-sections"],
        )
        self.compiler.link_executable(
            objects, "pyrunc-front", output_dir=str(package_dir),
            extra_postargs=["-static", "-s", "-Wl,--gc-sections"],
        )
        if self.inplace:
            # A checkout built in place: the front end's fallback runs this checkout's Python CLI.
            import sys

            if str(ROOT) not in sys.path:
                sys.path.insert(0, str(ROOT))
            from pyrunc.launcher import write_script

            write_script(str(package_dir / "pyrunc-front.py"))


setup(
    cffi_modules=["csrc/build_native.py:ffibuilder"],
    cmdclass={"build_py": BuildWithSchemas, "build_ext": BuildWithInit},
)
