"""Session fixtures: one private podman, one private containerd and one dockerd on it, all driving the runtime
under test (env PYRUNC_ENGINE_RUNTIME, default `pyrunc` from PATH).

Teardown always runs and is strict: it removes every container, stops the daemons by PID, unmounts what is
left under the private base directory, removes the cgroups the engines made under our parent, and fails the
session if anything had to be killed or could not be removed.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest

from .drivers import Containerd, Docker, Engine, Podman, remove_tree
from .enginelib import CgroupParent, finish_rootfs, oci_archive, rootfs_tar, runtime_under_test

# Directories the engines insist on creating outside their configured roots (hard-coded in them).
HARDCODED_DIRS = [
    pathlib.Path(p)
    for p in (
        "/run/containerd/s",
        "/run/containerd/fifo",
        "/run/containerd",  # shim sockets, ctr's default fifo dir
        "/run/docker/plugins",
        "/run/docker",  # dockerd's plugin socket dir
        "/run/containers/networks",
        "/run/containers",  # netavark's run dir (podman 4.3 has no setting)
    )
]


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"not installed: {', '.join(missing)} (apt-get install podman conmon containerd docker.io)"
        )


@pytest.fixture(scope="session")
def engine_runtime() -> str:
    if os.geteuid() != 0:
        pytest.skip("engine tests need root (the engines run rootful with private state)")
    path, why = runtime_under_test()
    if path is None:
        pytest.skip(why)
    return path


@pytest.fixture(scope="session")
def engine_base(engine_runtime: str) -> Iterator[pathlib.Path]:
    """Short (unix socket paths are capped at 108 bytes), private, removed at the end."""
    existed = {d: d.exists() for d in HARDCODED_DIRS}
    base = pathlib.Path(tempfile.mkdtemp(prefix="pre-", dir="/tmp"))
    yield base
    problems = remove_tree(base)
    for d, was_there in existed.items():
        if not was_there and d.exists():
            try:
                d.rmdir()  # only if empty: somebody else may have started using it meanwhile
            except OSError:
                pass
    assert not problems, problems


@pytest.fixture(scope="session")
def engine_cgroups(engine_base: pathlib.Path) -> Iterator[CgroupParent]:
    parent = CgroupParent(f"pyrunc-engines-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    yield parent
    problems = parent.remove()
    assert not problems, f"cgroups left behind: {problems}"


@pytest.fixture(scope="session")
def engine_images(engine_base: pathlib.Path, busybox_rootfs: pathlib.Path) -> dict[str, pathlib.Path]:
    rootfs = engine_base / "rootfs"
    shutil.copytree(busybox_rootfs, rootfs, symlinks=True)
    finish_rootfs(rootfs)
    layer = rootfs_tar(rootfs, engine_base / "layer.tar")
    archive = oci_archive(layer, engine_base / "oci.tar", Containerd.image.rsplit(":", 1)[0], "latest")
    return {"layer": layer, "oci": archive}


@pytest.fixture(scope="session")
def podman(
    engine_runtime: str,
    engine_base: pathlib.Path,
    engine_cgroups: CgroupParent,
    engine_images: dict[str, pathlib.Path],
) -> Iterator[Podman]:
    _require("podman", "conmon")
    engine = Podman(engine_base / "podman", engine_runtime, engine_cgroups)
    try:
        engine.setup(engine_images["layer"])
        yield engine
    finally:
        problems = engine.teardown()
    assert not problems, problems


@pytest.fixture(scope="session")
def containerd(
    engine_runtime: str,
    engine_base: pathlib.Path,
    engine_cgroups: CgroupParent,
    engine_images: dict[str, pathlib.Path],
) -> Iterator[Containerd]:
    _require("containerd", "ctr", "containerd-shim-runc-v2")
    engine = Containerd(engine_base / "containerd", engine_runtime, engine_cgroups)
    try:
        engine.start()
        engine.import_image(engine_images["oci"])
        yield engine
    finally:
        problems = engine.stop()
    assert not problems, problems


@pytest.fixture(scope="session")
def docker(
    engine_runtime: str,
    engine_base: pathlib.Path,
    engine_cgroups: CgroupParent,
    engine_images: dict[str, pathlib.Path],
    containerd: Containerd,
) -> Iterator[Docker]:
    _require("dockerd", Docker.exe)
    engine = Docker(engine_base / "docker", engine_runtime, engine_cgroups, containerd)
    try:
        engine.start(engine_images["layer"])
        yield engine
    finally:
        problems = engine.stop()
    assert not problems, problems


@pytest.fixture(params=["podman", "docker"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """podman and docker share a CLI; tests written once against it run on both."""
    eng: Engine = request.getfixturevalue(request.param)
    return eng


@pytest.fixture
def name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A unique container name; whatever a test leaves under it is force-removed afterwards."""
    value = "pe-" + uuid.uuid4().hex[:10]
    yield value
    for fixture in ("engine", "podman", "docker"):
        if fixture in request.fixturenames:
            eng: Engine = request.getfixturevalue(fixture)
            for leftover in (value, value + "-2"):  # one by one: podman stops at the first unknown name
                eng.remove(leftover, check=False)
            break
