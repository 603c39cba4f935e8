"""The three engines, each started with private state: podman, containerd (+ ctr) and dockerd.

Each driver knows how to set its engine up, how to call its CLI, where the runtime under test keeps the
state of the engine's containers, and how to tear everything down again.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable

from .enginelib import (
    CgroupParent,
    Daemon,
    kill_pids,
    mounts_under,
    pid_alive,
    pids_whose_cmdline_has,
    unmount_under,
    wait_for,
)

IMAGE_REF = "pyrunc-busybox"


def _socket_ready(path: pathlib.Path) -> Callable[[], bool]:
    def ready() -> bool:
        if not path.exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(str(path))
            except OSError:
                return False
        return True

    return ready


class Engine:
    """What the CLI-style engines (podman, docker) share."""

    name = ""
    exe = ""
    image = ""

    def __init__(self, base: pathlib.Path, runtime: str, cgroups: CgroupParent) -> None:
        self.base = base
        self.runtime = runtime
        self.cgroups = cgroups
        self.env = dict(os.environ)

    def prefix(self) -> list[str]:
        return [self.exe]

    def argv(self, *args: str) -> list[str]:
        return self.prefix() + list(args)

    def cli(
        self, *args: str, input: str | None = None, timeout: float = 90, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            self.argv(*args),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env,
            stdin=None if input is not None else subprocess.DEVNULL,
            cwd=self.base,  # conmon leaves an `oom` file in its working directory after an OOM kill
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{self.name} {' '.join(args)} exited {proc.returncode}:\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    def run_flags(self) -> list[str]:
        """Flags every `run`/`create` gets: no network, our cgroup parent."""
        return ["--network", "none"]

    def run(
        self, *args: str, input: str | None = None, timeout: float = 90, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`run --rm <flags> <args...>`: args are run options, then the image, then the command."""
        flags = self.run_flags()
        if any(a == "--network" or a.startswith("--network=") for a in args):
            flags = flags[2:]  # the test chose a network (e.g. another container's)
        return self.cli("run", "--rm", *flags, *args, input=input, timeout=timeout, check=check)

    def remove(self, name: str, check: bool = True) -> None:
        """Force-remove a container at once (podman would first wait 10 s for SIGTERM to work)."""
        extra = ["-t", "0"] if self.name == "podman" else []
        self.cli("rm", "-f", *extra, name, timeout=60, check=check)

    def runtime_root(self) -> str | None:
        """The --root the engine passes to the runtime (None: the runtime's default)."""
        return None

    def runtime_ids(self) -> list[str]:
        root = self.runtime_root()
        argv = [self.runtime] + (["--root", root] if root else []) + ["list", "-q"]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return proc.stdout.split()

    def full_id(self, name: str) -> str:
        return self.cli("inspect", "--format", "{{.Id}}", name, check=True).stdout.strip()

    def leftovers(self, full_id: str, mounts_before: list[str]) -> list[str]:
        """Everything that still mentions a removed container: engine, runtime, cgroups, mounts, processes."""
        problems = []
        if full_id in self.cli("ps", "-a", "-q", "--no-trunc").stdout.split():
            problems.append("engine still lists it")
        if full_id in self.runtime_ids():
            problems.append("runtime list still has it")
        problems += [f"cgroup {p}" for p in self.cgroups.find(full_id[:12])]
        extra = sorted(set(mounts_under(self.base)) - set(mounts_before))
        problems += [f"mount {m}" for m in extra if full_id[:12] in m or "/merged" in m]
        problems += [f"process {p}" for p in pids_whose_cmdline_has(full_id) if pid_alive(p)]
        return problems


def _ulimits() -> str:
    """containers.conf default_ulimits no higher than what runc may set on this machine."""
    import resource

    def cap(kind: int, ceiling: int) -> int:
        hard = resource.getrlimit(kind)[1]
        return ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)

    nofile = cap(resource.RLIMIT_NOFILE, 1048576)
    # Measured: runc under conmon gets EPERM setting nproc above 32768 here, whatever our own limit is.
    nproc = cap(resource.RLIMIT_NPROC, 32768)
    return f'["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]'


class Podman(Engine):
    """podman + conmon, storage/config/state in base, cgroupfs manager, events to a file."""

    name = "podman"
    exe = "podman"
    image = "localhost/" + IMAGE_REF + ":latest"

    def setup(self, layer_tar: pathlib.Path) -> None:
        b = self.base
        for sub in ("root", "runroot", "tmp", "net", "volumes"):
            (b / sub).mkdir(parents=True, exist_ok=True)
        # Podman only passes --log/--log-format json to runtimes it "knows"; name ours and list it.
        self.runtime_name = os.path.basename(self.runtime)
        (b / "containers.conf").write_text(
            "[containers]\n"
            'netns = "none"\n'
            "default_sysctls = []\n"
            # As root podman raises nofile/nproc to 1048576; that needs CAP_SYS_RESOURCE, which
            # this machine's bounding set lacks, so start containers at our own hard limits instead.
            f"default_ulimits = {_ulimits()}\n"
            'log_driver = "k8s-file"\n'
            "[engine]\n"
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
            f'events_logfile_path = "{b}/events.log"\n'
            f'runtime = "{self.runtime_name}"\n'
            f'runtime_supports_json = ["crun", "runc", "{self.runtime_name}"]\n'
            f'tmp_dir = "{b}/tmp"\n'
            f'volume_path = "{b}/volumes"\n'
            "[engine.runtimes]\n"
            f'{self.runtime_name} = ["{self.runtime}"]\n'
            "[network]\n"
            f'network_config_dir = "{b}/net"\n'
        )
        (b / "storage.conf").write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{b}/root"\nrunroot = "{b}/runroot"\n'
        )
        (b / "registries.conf").write_text("unqualified-search-registries = []\n")
        self.env.update(
            CONTAINERS_CONF=str(b / "containers.conf"),
            CONTAINERS_STORAGE_CONF=str(b / "storage.conf"),
            CONTAINERS_REGISTRIES_CONF=str(b / "registries.conf"),
        )
        self.cli("import", str(layer_tar), self.image, check=True, timeout=120)

    def prefix(self) -> list[str]:
        b = self.base
        return [
            "podman",
            "--root",
            f"{b}/root",
            "--runroot",
            f"{b}/runroot",
            "--tmpdir",
            f"{b}/tmp",
            "--cgroup-manager",
            "cgroupfs",
            "--events-backend",
            "file",
            "--storage-driver",
            "overlay",
            "--network-config-dir",
            f"{b}/net",
            "--runtime",
            self.runtime,
        ]

    def run_flags(self) -> list[str]:
        return ["--network", "none", "--cgroup-parent", self.cgroups.path("podman")]

    def teardown(self) -> list[str]:
        problems = []
        with contextlib.suppress(Exception):
            self.cli("pod", "rm", "-a", "-f", "-t", "0", timeout=60)
        with contextlib.suppress(Exception):
            self.cli("rm", "-a", "-f", "-t", "0", timeout=60)
        # conmon outlives nothing we made once the containers are gone; anything left names our base.
        stray = [p for p in pids_whose_cmdline_has(str(self.base)) if pid_alive(p)]
        if stray:
            problems.append(f"podman: killed stray processes {stray}")
            kill_pids(stray)
        return problems


class Containerd:
    """containerd with its own root/state/sockets; `ctr` in a namespace of our own."""

    name = "containerd"
    namespace = "pyrunc-ctr"
    image = "docker.io/library/" + IMAGE_REF + ":latest"

    def __init__(self, base: pathlib.Path, runtime: str, cgroups: CgroupParent) -> None:
        self.base = base
        self.runtime = runtime
        self.cgroups = cgroups
        self.sock = base / "c.sock"
        self.daemon: Daemon | None = None

    def start(self) -> None:
        b = self.base
        for sub in ("root", "state", "runc", "opt", "fifo"):
            (b / sub).mkdir(parents=True, exist_ok=True)
        (b / "config.toml").write_text(
            "version = 2\n"
            f'root = "{b}/root"\n'
            f'state = "{b}/state"\n'
            # CRI would set up CNI and listen for kubelets; nothing here needs it.
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            "[grpc]\n"
            f'  address = "{self.sock}"\n'
            "[ttrpc]\n"
            f'  address = "{self.sock}.ttrpc"\n'
            "[debug]\n"
            '  address = ""\n'
            '  level = "info"\n'
            "[metrics]\n"
            '  address = ""\n'
            '[plugins."io.containerd.internal.v1.opt"]\n'
            f'  path = "{b}/opt"\n'
        )
        self.daemon = Daemon(["containerd", "--config", str(b / "config.toml")], b / "containerd.log")
        self.daemon.start(_socket_ready(self.sock), timeout=30)

    def ctr(
        self,
        *args: str,
        input: str | None = None,
        timeout: float = 90,
        namespace: str | None = None,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        argv = ["ctr", "--address", str(self.sock), "--namespace", namespace or self.namespace, *args]
        proc = subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"ctr {' '.join(args)} exited {proc.returncode}:\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    def ctr_argv(self, *args: str) -> list[str]:
        return ["ctr", "--address", str(self.sock), "--namespace", self.namespace, *args]

    def run_flags(self, cid: str) -> list[str]:
        return [
            "--runtime",
            "io.containerd.runc.v2",
            "--runc-binary",
            self.runtime,
            "--runc-root",
            str(self.base / "runc"),
            "--cgroup",
            self.cgroups.path(f"ctr/{cid}"),
            "--fifo-dir",
            str(self.base / "fifo"),
        ]

    def import_image(self, archive: pathlib.Path) -> None:
        self.ctr("images", "import", "--all-platforms", str(archive), check=True, timeout=120)

    def runtime_ids(self) -> list[str]:
        root = self.base / "runc" / self.namespace
        proc = subprocess.run(
            [self.runtime, "--root", str(root), "list", "-q"], capture_output=True, text=True, timeout=30
        )
        return proc.stdout.split()

    def clean_namespace(self, namespace: str) -> None:
        tasks = self.ctr("tasks", "ls", "-q", namespace=namespace).stdout.split()
        for task in tasks:
            self.ctr("tasks", "kill", "-a", "-s", "SIGKILL", task, namespace=namespace)
        for task in tasks:
            with contextlib.suppress(subprocess.TimeoutExpired):
                for _ in range(50):
                    if self.ctr("tasks", "delete", "-f", task, namespace=namespace).returncode == 0:
                        break
                    time.sleep(0.1)
        for container in self.ctr("containers", "ls", "-q", namespace=namespace).stdout.split():
            self.ctr("containers", "delete", container, namespace=namespace)

    def stop(self) -> list[str]:
        problems = []
        if self.daemon is not None and self.daemon.proc is not None and self.daemon.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.clean_namespace(self.namespace)
        # Shims are re-parented away from containerd; each names our socket in its command line.
        shims = [
            p
            for p in pids_whose_cmdline_has(str(self.sock))
            if pid_alive(p) and (self.daemon is None or self.daemon.proc is None or p != self.daemon.proc.pid)
        ]
        if self.daemon is not None:
            self.daemon.stop()
        stray = [p for p in shims if pid_alive(p)]
        if stray:
            problems.append(f"containerd: killed stray shims {stray}")
            kill_pids(stray)
        return problems


class Docker(Engine):
    """dockerd on our containerd: own data-root/exec-root/socket, no iptables, no bridge, runtime `pyrunc`."""

    name = "docker"
    exe = "/usr/bin/docker"  # the docker.io client matching the daemon
    image = IMAGE_REF + ":latest"
    runtime_label = "pyrunc"
    namespace = "pyrunc-moby"

    def __init__(
        self, base: pathlib.Path, runtime: str, cgroups: CgroupParent, containerd: Containerd
    ) -> None:
        super().__init__(base, runtime, cgroups)
        self.containerd = containerd
        self.sock = base / "d.sock"
        self.daemon: Daemon | None = None

    def start(self, layer_tar: pathlib.Path) -> None:
        b = self.base
        for sub in ("data", "exec", "client"):
            (b / sub).mkdir(parents=True, exist_ok=True)
        (b / "daemon.json").write_text(
            json.dumps(
                {
                    "runtimes": {self.runtime_label: {"path": self.runtime}},
                    "default-runtime": self.runtime_label,
                    # dockerd 20.10 would otherwise create /etc/docker/key.json.
                    "deprecated-key-path": str(b / "key.json"),
                }
            )
        )
        argv = [
            "dockerd",
            "--config-file",
            str(b / "daemon.json"),
            "--data-root",
            str(b / "data"),
            "--exec-root",
            str(b / "exec"),
            "--pidfile",
            str(b / "docker.pid"),
            "--host",
            f"unix://{self.sock}",
            "--containerd",
            str(self.containerd.sock),
            "--containerd-namespace",
            self.namespace,
            "--containerd-plugins-namespace",
            self.namespace + "-plugins",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--bridge=none",
            "--userland-proxy=false",
            "--storage-driver",
            "overlay2",
            "--exec-opt",
            "native.cgroupdriver=cgroupfs",
            "--cgroup-parent",
            self.cgroups.path("docker"),
            "--log-level",
            "warn",
        ]
        env = dict(os.environ)
        self.env.update(DOCKER_HOST=f"unix://{self.sock}", DOCKER_CONFIG=str(b / "client"))
        self.daemon = Daemon(argv, b / "dockerd.log", env)
        self.daemon.start(_socket_ready(self.sock), timeout=60)
        wait_for(lambda: self.cli("version", timeout=10).returncode == 0, 30, "docker version to answer")
        self.cli("import", str(layer_tar), self.image, check=True, timeout=120)

    def runtime_root(self) -> str | None:
        return str(self.base / "exec" / f"runtime-{self.runtime_label}" / self.namespace)

    def stop(self) -> list[str]:
        problems = []
        if self.daemon is not None and self.daemon.proc is not None and self.daemon.proc.poll() is None:
            with contextlib.suppress(Exception):
                ids = self.cli("ps", "-a", "-q", timeout=30).stdout.split()
                if ids:
                    self.cli("rm", "-f", *ids, timeout=120)
            self.daemon.stop()
        with contextlib.suppress(Exception):
            self.containerd.clean_namespace(self.namespace)
        return problems


def remove_tree(base: pathlib.Path) -> list[str]:
    problems = []
    unmount_under(base)
    left = mounts_under(base)
    if left:
        problems.append(f"mounts left under {base}: {left}")
        return problems  # never rm -rf across a mount
    shutil.rmtree(base, ignore_errors=True)
    if base.exists():
        problems.append(f"could not remove {base}")
    return problems
