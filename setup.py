"""setuptools glue: the cffi C core, and oci-schemas/ shipped inside the package as pyrunc/spec/schemas/."""

import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).resolve().parent


class BuildWithSchemas(build_py):
    def run(self) -> None:
        super().run()
        target = pathlib.Path(self.build_lib) / "pyrunc" / "spec" / "schemas"
        target.mkdir(parents=True, exist_ok=True)
        for schema in sorted((ROOT / "oci-schemas").glob("*.json")):
            shutil.copy2(schema, target / schema.name)


setup(cffi_modules=["csrc/build_native.py:ffibuilder"], cmdclass={"build_py": BuildWithSchemas})
