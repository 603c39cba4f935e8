"""Scripted bundle tests: run every case in conformance/bundles/ against one or more runtimes.

Each case is a directory with `expect.json` (what must be observed) and either `config.json` (a whole
config) or `config.patch.json` (changes over conformance/default-config.json). The same cases run against
pyrunc, runc and crun side by side, so the table shows where pyrunc differs:

    python conformance/run_bundles.py --runtime pyrunc --runtime runc --runtime crun [--only CASE...]

Exit status is non-zero when the first runtime fails a case. See docs/conformance.md for the case format.
"""

from __future__ import annotations

import argparse
import array
import copy
import dataclasses
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
BUNDLES = HERE / "bundles"
DEFAULT_CONFIG = HERE / "default-config.json"
BUSYBOX = pathlib.Path("/bin/busybox")
CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
# Every container's cgroup goes under this parent (in each hierarchy), removed when the run ends.
CGROUP_PARENT = "pyrunc-conformance"
MODES = ("run", "create", "invalid")


@dataclasses.dataclass
class Case:
    name: str
    path: pathlib.Path
    expect: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.expect.get("description", ""))

    def for_runtime(self, runtime_name: str) -> dict[str, Any]:
        """expect.json with the per-runtime overrides (`runtimes.<name>`) applied."""
        merged = {k: v for k, v in self.expect.items() if k != "runtimes"}
        merged.update(self.expect.get("runtimes", {}).get(runtime_name, {}))
        return merged

    def config(self) -> dict[str, Any]:
        whole = self.path / "config.json"
        if whole.exists():
            return json.loads(whole.read_text())
        base = json.loads(DEFAULT_CONFIG.read_text())
        patch = self.path / "config.patch.json"
        if patch.exists():
            apply_patch(base, json.loads(patch.read_text()))
        return base


@dataclasses.dataclass
class Runtime:
    name: str
    path: str
    global_args: tuple[str, ...] = ()


@dataclasses.dataclass
class Outcome:
    verdict: str  # PASS, FAIL, SKIP, XFAIL (failed as expected), XPASS (marked xfail but passed)
    detail: str = ""
    seconds: float = 0.0


class CheckFailed(Exception):
    pass


def apply_patch(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Merge `patch` into `target`: objects merge, `null` deletes a key, `key+` appends to a list."""
    for key, value in patch.items():
        if key.endswith("+"):
            target.setdefault(key[:-1], []).extend(copy.deepcopy(value))
        elif value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            apply_patch(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def substitute(value: Any, names: dict[str, str]) -> Any:
    """Replace @NAME@ placeholders in every string of a JSON value."""
    if isinstance(value, str):
        for key, text in names.items():
            value = value.replace(f"@{key}@", text)
        return value
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {substitute(k, names): substitute(v, names) for k, v in value.items()}
    return value


def load_cases(root: pathlib.Path = BUNDLES) -> list[Case]:
    cases = []
    for path in sorted(p for p in root.iterdir() if (p / "expect.json").is_file()):
        expect = json.loads((path / "expect.json").read_text())
        if expect.get("mode", "run") not in MODES:
            raise SystemExit(f"{path}/expect.json: mode must be one of {MODES}")
        cases.append(Case(path.name, path, expect))
    return cases


def build_rootfs(dest: pathlib.Path) -> pathlib.Path:
    """A busybox rootfs: the static binary, one symlink per applet, passwd/group and the usual dirs."""
    for sub in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "tmp", "root", "var",
                "run", "mnt"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, dest / "bin" / "busybox")
    applets = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, check=True).stdout
    for applet in applets.split():
        link = dest / "bin" / applet
        if applet != "busybox" and not link.is_symlink():
            link.symlink_to("busybox")
    (dest / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    (dest / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    os.chmod(dest / "tmp", 0o1777)
    return dest


# ---- host requirements ------------------------------------------------------------------------------

def _cgroup_file(controller: str, name: str) -> bool:
    return (CGROUP_ROOT / controller / name).exists()


REQUIREMENTS: dict[str, tuple[Any, str]] = {
    "root": (lambda: os.geteuid() == 0, "needs root"),
    "userns": (lambda: pathlib.Path("/proc/self/ns/user").exists(), "no user namespaces"),
    "timens": (lambda: pathlib.Path("/proc/self/ns/time").exists(), "no time namespaces in this kernel"),
    "cgroupns": (lambda: pathlib.Path("/proc/self/ns/cgroup").exists(), "no cgroup namespaces"),
    "memsw": (lambda: _cgroup_file("memory", "memory.memsw.limit_in_bytes"),
              "memory cgroup has no swap accounting (memory.memsw.*)"),
    "cpu-rt": (lambda: _cgroup_file("cpu", "cpu.rt_runtime_us"), "kernel lacks CONFIG_RT_GROUP_SCHED"),
    "numa": (lambda: pathlib.Path("/sys/devices/system/node/node0").exists(), "kernel lacks NUMA"),
    "ip": (lambda: shutil.which("ip") is not None, "iproute2 (`ip`) is not installed"),
    "blkdev": (lambda: pathlib.Path("/sys/dev/block/254:0").exists(), "no block device 254:0 (vda) here"),
}


def missing_requirement(expect: dict[str, Any]) -> str:
    for req in expect.get("requires", []):
        check, reason = REQUIREMENTS[req]
        if not check():
            return reason
    return ""


# ---- the console socket ---------------------------------------------------------------------------

class ConsoleReceiver:
    """Listens on a unix socket for the pty master (SCM_RIGHTS) and collects everything written to it."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.output = bytearray()
        self.error = ""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
            with conn:
                fds = array.array("i")
                _msg, ancdata, _flags, _addr = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
                for level, kind, data in ancdata:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            if not fds:
                self.error = "no file descriptor received on the console socket"
                return
            master = fds[0]
            try:
                while True:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO once the last slave fd is closed
                        break
                    if not chunk:
                        break
                    self.output += chunk
            finally:
                os.close(master)
        except OSError as exc:
            self.error = f"console socket: {exc}"

    def text(self, wait: float = 5.0) -> str:
        self.thread.join(wait)
        return self.output.decode(errors="replace").replace("\r\n", "\n")

    def close(self) -> None:
        self.sock.close()


class SeccompAgent:
    """A minimal seccomp notify agent for listenerPath: keeps what the runtime sends, closes the fds.

    With the notify fd closed, every notified syscall fails with ENOSYS, which the probe can observe.
    """

    def __init__(self, path: pathlib.Path, record: pathlib.Path) -> None:
        self.record = record
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
            with conn:
                fds = array.array("i")
                msg, ancdata, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(16 * fds.itemsize))
                for level, kind, data in ancdata:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            self.record.write_bytes(msg + b"\nfds=%d\n" % len(fds))
            for fd in fds:
                os.close(fd)
        except OSError as exc:
            self.record.write_text(f"agent error: {exc}\n")

    def close(self) -> None:
        self.sock.close()


# ---- running one case ---------------------------------------------------------------------------

class CaseRun:
    """One case against one runtime, in its own scratch directory and its own --root."""

    def __init__(self, case: Case, runtime: Runtime, template_rootfs: pathlib.Path, scratch: pathlib.Path):
        self.case = case
        self.runtime = runtime
        self.expect = case.for_runtime(runtime.name)
        self.template = template_rootfs
        short = re.sub(r"[^a-z0-9]", "", case.name.lower())[:24]
        self.id = f"conf-{short}-{uuid.uuid4().hex[:6]}"
        self.work = scratch / f"{case.name}-{runtime.name}-{uuid.uuid4().hex[:6]}"
        self.bundle = self.work / "bundle"
        self.state_root = self.work / "state"
        self.log = self.work / "runtime.log"
        self.netns = ""
        self.dummy = ""
        self.names: dict[str, str] = {}
        self.console: ConsoleReceiver | None = None
        self.agent: SeccompAgent | None = None

    # -- helpers

    def rt(self, *args: str, timeout: float = 30, stdout: Any = None, stderr: Any = None
           ) -> subprocess.CompletedProcess[str]:
        cmd = [self.runtime.path, *self.runtime.global_args, "--root", str(self.state_root),
               "--log", str(self.log), "--log-format", "json", *args]
        capture = stdout is None and stderr is None
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=timeout, text=True,
                              capture_output=capture, stdout=stdout, stderr=stderr)

    def error_text(self, proc: subprocess.CompletedProcess[str] | None = None) -> str:
        parts = []
        if proc is not None:
            parts += [proc.stdout or "", proc.stderr or ""]
        for name in ("stdout", "stderr"):
            f = self.work / name
            if f.exists():
                parts.append(f.read_text(errors="replace"))
        if self.log.exists():
            parts.append(self.log.read_text(errors="replace"))
        return "\n".join(p for p in parts if p)

    def prepare(self) -> None:
        self.work.mkdir(parents=True)
        self.bundle.mkdir()
        self.state_root.mkdir()
        shutil.copytree(self.template, self.bundle / "rootfs", symlinks=True)
        self.names = {"WORK": str(self.work), "BUNDLE": str(self.bundle), "ID": self.id,
                      "ROOTFS": str(self.bundle / "rootfs"), "CGROUP_PARENT": CGROUP_PARENT}
        if self.expect.get("netns"):
            self.netns = f"conf-{uuid.uuid4().hex[:8]}"
            subprocess.run(["ip", "netns", "add", self.netns], check=True)
            # An up loopback tells this namespace apart from a fresh one (whose lo is down).
            subprocess.run(["ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up"], check=True)
            self.names["NETNS"] = f"/run/netns/{self.netns}"
        if self.expect.get("seccomp_agent"):
            self.agent = SeccompAgent(self.work / "agent.sock", self.work / "agent.out")
        if self.expect.get("dummy_link"):
            # A host network device for linux.netDevices to move into the container: one end of a veth
            # pair (the `dummy` module is not always there); deleting either end removes both.
            self.dummy = f"cfd{uuid.uuid4().hex[:8]}"
            subprocess.run(["ip", "link", "add", self.dummy, "type", "veth", "peer", "name",
                            self.dummy + "p"], check=True)
            self.names["DUMMY"] = self.dummy
        for rel, content in substitute(self.expect.get("rootfs_setup", {}), self.names).items():
            target = self.bundle / "rootfs" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith("/"):
                target.mkdir(exist_ok=True)
            else:
                target.write_text(content)
        for rel, content in substitute(self.expect.get("host_setup", {}), self.names).items():
            target = self.work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith("/"):
                target.mkdir(exist_ok=True)
            else:
                target.write_text(content)
        config = substitute(self.case.config(), self.names)
        linux = config.get("linux")
        if isinstance(linux, dict) and "cgroupsPath" not in linux and not self.expect.get("no_cgroups_path"):
            linux["cgroupsPath"] = f"/{CGROUP_PARENT}/{self.id}"
        (self.bundle / "config.json").write_text(json.dumps(config, indent=2))

    def cleanup(self) -> None:
        try:
            self.rt("delete", "--force", self.id, timeout=30)
        except (subprocess.TimeoutExpired, OSError):
            pass
        if self.console is not None:
            self.console.close()
        if self.agent is not None:
            self.agent.close()
        if self.netns:
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)
        for link in (self.dummy, self.dummy + "p") if self.dummy else ():
            if pathlib.Path(f"/sys/class/net/{link}").exists():
                subprocess.run(["ip", "link", "del", link], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def state(self) -> dict[str, Any]:
        proc = self.rt("state", self.id)
        if proc.returncode != 0:
            raise CheckFailed(f"state failed: {self.error_text(proc).strip()[-400:]}")
        return json.loads(proc.stdout)

    def wait_stopped(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state().get("status") == "stopped":
                return
            time.sleep(0.05)
        raise CheckFailed(f"container not stopped after {timeout}s")

    # -- modes

    def execute(self) -> None:
        mode = self.expect.get("mode", "run")
        timeout = float(self.expect.get("timeout", 30))
        if mode == "invalid":
            self.run_invalid(timeout)
        elif mode == "create":
            self.run_create(timeout)
        else:
            self.run_foreground(timeout)

    def stdio(self) -> tuple[Any, Any]:
        return open(self.work / "stdout", "w"), open(self.work / "stderr", "w")

    def run_foreground(self, timeout: float) -> None:
        out, err = self.stdio()
        with out, err:
            try:
                proc = self.rt("run", "--bundle", str(self.bundle), self.id, timeout=timeout,
                               stdout=out, stderr=err)
            except subprocess.TimeoutExpired:
                raise CheckFailed(f"run did not finish in {timeout}s") from None
        want = int(self.expect.get("exit", 0))
        if proc.returncode != want:
            raise CheckFailed(f"exit status {proc.returncode}, expected {want}; "
                              f"output: {self.error_text().strip()[-600:]}")
        self.check_output((self.work / "stdout").read_text(errors="replace"))
        stderr = (self.work / "stderr").read_text(errors="replace")
        for piece in self.expect.get("stderr_contains", []):
            if piece not in stderr:
                raise CheckFailed(f"stderr lacks {piece!r}: {stderr.strip()[-600:]!r}")
        self.check_host_files()

    def run_create(self, timeout: float) -> None:
        args = ["create", "--bundle", str(self.bundle), "--pid-file", str(self.work / "pidfile")]
        if self.expect.get("console"):
            sock = self.work / "console.sock"
            self.console = ConsoleReceiver(sock)
            args += ["--console-socket", str(sock)]
        out, err = self.stdio()
        with out, err:
            proc = self.rt(*args, self.id, timeout=timeout, stdout=out, stderr=err)
        if proc.returncode != 0:
            raise CheckFailed(f"create failed ({proc.returncode}): {self.error_text().strip()[-600:]}")
        state = self.state()
        self.check_state(state)
        self.check_pidfile(state)
        self.check_host_cgroups(state)
        self.check_host_files("host_files_created")
        proc = self.rt("start", self.id, timeout=timeout)
        if proc.returncode != 0:
            raise CheckFailed(f"start failed ({proc.returncode}): {self.error_text(proc).strip()[-600:]}")
        self.wait_stopped(timeout)
        if self.console is not None:
            output = self.console.text()
            if self.console.error:
                raise CheckFailed(self.console.error)
        else:
            output = (self.work / "stdout").read_text(errors="replace")
        self.check_output(output)
        proc = self.rt("delete", self.id, timeout=timeout)
        if proc.returncode != 0:
            raise CheckFailed(f"delete failed ({proc.returncode}): {self.error_text(proc).strip()[-600:]}")
        self.check_host_files()

    def run_invalid(self, timeout: float) -> None:
        # `run` by default, so that an error at any step counts; `"command": "create"` for what only
        # create (detached) must refuse.
        command = self.expect.get("command", "run")
        out, err = self.stdio()
        with out, err:
            try:
                proc = self.rt(command, "--bundle", str(self.bundle), self.id, timeout=timeout,
                               stdout=out, stderr=err)
            except subprocess.TimeoutExpired:
                raise CheckFailed(f"run did not finish in {timeout}s") from None
        if proc.returncode == 0:
            raise CheckFailed("the runtime accepted the config and the container ran")
        text = self.error_text()
        lowered = text.lower()
        wanted = self.expect.get("error_any", [])
        if wanted and not any(w.lower() in lowered for w in wanted):
            raise CheckFailed(f"error does not mention any of {wanted}: {text.strip()[-600:]}")
        pointer = self.expect.get("error_pointer")
        if pointer and self.runtime.name == "pyrunc" and pointer not in text:
            raise CheckFailed(f"error does not name {pointer}: {text.strip()[-600:]}")
        left = self.rt("list", "-q")
        if left.stdout.strip():
            raise CheckFailed(f"a failed run left containers behind: {left.stdout.split()}")
        self.check_host_files()

    # -- checks

    def check_output(self, output: str) -> None:
        exp = substitute(self.expect, self.names)
        text = output.strip()
        if "stdout" in exp and text != exp["stdout"].strip():
            raise CheckFailed(f"stdout {text!r}, expected {exp['stdout'].strip()!r}")
        for piece in exp.get("stdout_contains", []):
            if piece not in output:
                raise CheckFailed(f"stdout lacks {piece!r}: {text[-600:]!r}")
        for piece in exp.get("stdout_lacks", []):
            if piece in output:
                raise CheckFailed(f"stdout has {piece!r}: {text[-600:]!r}")
        pattern = exp.get("stdout_regex")
        if pattern and not re.search(pattern, output, re.MULTILINE):
            raise CheckFailed(f"stdout does not match /{pattern}/: {text[-600:]!r}")
        self.check_namespaces(output)

    def check_namespaces(self, output: str) -> None:
        """Lines like `net:[4026531840]` printed by the probe, compared with the runner's own."""
        seen = dict(re.findall(r"^(\w+):\[(\d+)\]$", output, re.MULTILINE))
        for kind in self.expect.get("ns_new", []):
            mine = os.readlink(f"/proc/self/ns/{kind}")
            if kind not in seen:
                raise CheckFailed(f"probe printed no {kind} namespace")
            if f"{kind}:[{seen[kind]}]" == mine:
                raise CheckFailed(f"container shares the host's {kind} namespace")
        for kind in self.expect.get("ns_host", []):
            mine = os.readlink(f"/proc/self/ns/{kind}")
            if f"{kind}:[{seen.get(kind)}]" != mine:
                raise CheckFailed(f"container has its own {kind} namespace, expected the host's")

    def check_state(self, state: dict[str, Any]) -> None:
        want = substitute(self.expect.get("state_created", {"status": "created"}), self.names)
        for key, value in want.items():
            if state.get(key) != value:
                raise CheckFailed(f"state {key} = {state.get(key)!r}, expected {value!r}")
        if not isinstance(state.get("pid"), int) or state["pid"] <= 0:
            raise CheckFailed(f"state pid {state.get('pid')!r} is not a positive integer")

    def check_pidfile(self, state: dict[str, Any]) -> None:
        text = (self.work / "pidfile").read_text() if (self.work / "pidfile").exists() else ""
        if text.strip() != str(state["pid"]):
            raise CheckFailed(f"--pid-file holds {text!r}, state pid is {state['pid']}")

    def check_host_cgroups(self, state: dict[str, Any]) -> None:
        """`host_cgroup`: {"memory/memory.limit_in_bytes": "67108864"}, read in the init's cgroup."""
        want = substitute(self.expect.get("host_cgroup", {}), self.names)
        if not want:
            return
        paths: dict[str, str] = {}
        for line in pathlib.Path(f"/proc/{state['pid']}/cgroup").read_text().splitlines():
            _num, controllers, path = line.split(":", 2)
            for ctl in controllers.split(","):
                paths[ctl or "unified"] = path
        for key, value in want.items():
            ctl, _, fname = key.partition("/")
            if fname == "":
                # Bare controller name: the expected cgroup path of the init.
                if paths.get(ctl) != value:
                    raise CheckFailed(f"init is in {ctl} cgroup {paths.get(ctl)!r}, expected {value!r}")
                continue
            lookup = "cpu" if ctl == "cpu" and "cpu" not in paths else ctl
            mount = CGROUP_ROOT / ctl
            path = mount / paths.get(lookup, "/").lstrip("/") / fname
            try:
                got = path.read_text().strip()
            except OSError as exc:
                raise CheckFailed(f"cannot read {path}: {exc}") from None
            if isinstance(value, dict):
                if value.get("contains") and value["contains"] not in got:
                    raise CheckFailed(f"{key} = {got!r}, expected it to contain {value['contains']!r}")
            elif got != str(value):
                raise CheckFailed(f"{key} = {got!r}, expected {value!r}")

    def check_host_files(self, key: str = "host_files") -> None:
        """{"relative/to/work or /absolute": {"contains": [..], "exists": bool, "equals": "..."}}"""
        for rel, want in substitute(self.expect.get(key, {}), self.names).items():
            path = pathlib.Path(rel) if rel.startswith("/") else self.work / rel
            if not want.get("exists", True):
                if path.exists():
                    raise CheckFailed(f"{rel} exists, expected it not to")
                continue
            if not path.exists():
                raise CheckFailed(f"{rel} was not created")
            text = path.read_text(errors="replace")
            if "equals" in want and text.strip() != want["equals"].strip():
                raise CheckFailed(f"{rel} holds {text.strip()!r}, expected {want['equals'].strip()!r}")
            for piece in want.get("contains", []):
                if piece not in text:
                    raise CheckFailed(f"{rel} lacks {piece!r}: {text.strip()[-400:]!r}")


def run_case(case: Case, runtime: Runtime, template: pathlib.Path, scratch: pathlib.Path) -> Outcome:
    start = time.monotonic()
    expect = case.for_runtime(runtime.name)
    if expect.get("skip"):
        return Outcome("SKIP", str(expect["skip"]))
    lacking = missing_requirement(expect)
    if lacking:
        return Outcome("SKIP", f"host: {lacking}")
    run = CaseRun(case, runtime, template, scratch)
    try:
        run.prepare()
        run.execute()
    except CheckFailed as exc:
        outcome = Outcome("FAIL", str(exc))
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        outcome = Outcome("FAIL", f"runner error: {type(exc).__name__}: {exc}")
    else:
        outcome = Outcome("PASS")
    finally:
        run.cleanup()
    outcome.seconds = time.monotonic() - start
    xfail = expect.get("xfail")
    if xfail:
        if outcome.verdict == "FAIL":
            return Outcome("XFAIL", f"{xfail} [{outcome.detail}]", outcome.seconds)
        return Outcome("XPASS", f"marked xfail ({xfail}) but passed", outcome.seconds)
    return outcome


def remove_cgroup_parent() -> None:
    """rmdir our parent cgroup (and empty leftovers under it) in every hierarchy; never anything else."""
    for hierarchy in CGROUP_ROOT.iterdir():
        parent = hierarchy / CGROUP_PARENT
        if not parent.is_dir():
            continue
        for dirpath, _dirs, _files in sorted(os.walk(parent), key=lambda t: -len(t[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


# Every Linux/POSIX field of runtime-spec v1.3 config.json (fnmatch patterns; `*` stands for an index or a
# map key). Windows, Solaris, VM, z/OS and FreeBSD sections are out of scope for a Linux runtime.
SPEC_FIELDS = """
/ociVersion /root/path /root/readonly
/mounts/*/destination /mounts/*/source /mounts/*/options /mounts/*/type
/mounts/*/uidMappings /mounts/*/gidMappings
/process/terminal /process/consoleSize/height /process/consoleSize/width
/process/cwd /process/env /process/args
/process/rlimits/*/type /process/rlimits/*/soft /process/rlimits/*/hard /process/apparmorProfile
/process/capabilities/effective /process/capabilities/bounding /process/capabilities/inheritable
/process/capabilities/permitted /process/capabilities/ambient /process/noNewPrivileges /process/oomScoreAdj
/process/scheduler/policy /process/scheduler/nice /process/scheduler/priority /process/scheduler/flags
/process/scheduler/runtime /process/scheduler/deadline /process/scheduler/period /process/selinuxLabel
/process/ioPriority/class /process/ioPriority/priority /process/execCPUAffinity/initial
/process/execCPUAffinity/final /process/user/uid /process/user/gid /process/user/umask
/process/user/additionalGids /hostname /domainname
/hooks/prestart /hooks/createRuntime /hooks/createContainer /hooks/startContainer /hooks/poststart
/hooks/poststop /hooks/*/*/path /hooks/*/*/args /hooks/*/*/env /hooks/*/*/timeout /annotations
/linux/namespaces/*/type /linux/namespaces/*/path /linux/uidMappings /linux/gidMappings /linux/timeOffsets
/linux/devices/*/type /linux/devices/*/path /linux/devices/*/major /linux/devices/*/minor
/linux/devices/*/fileMode /linux/devices/*/uid /linux/devices/*/gid /linux/cgroupsPath
/linux/resources/devices/*/allow /linux/resources/devices/*/type /linux/resources/devices/*/major
/linux/resources/devices/*/minor /linux/resources/devices/*/access
/linux/resources/memory/limit /linux/resources/memory/reservation /linux/resources/memory/swap
/linux/resources/memory/kernel /linux/resources/memory/kernelTCP /linux/resources/memory/swappiness
/linux/resources/memory/disableOOMKiller /linux/resources/memory/useHierarchy
/linux/resources/memory/checkBeforeUpdate
/linux/resources/cpu/shares /linux/resources/cpu/quota /linux/resources/cpu/burst /linux/resources/cpu/period
/linux/resources/cpu/realtimeRuntime /linux/resources/cpu/realtimePeriod /linux/resources/cpu/cpus
/linux/resources/cpu/mems /linux/resources/cpu/idle
/linux/resources/blockIO/weight /linux/resources/blockIO/leafWeight /linux/resources/blockIO/weightDevice
/linux/resources/blockIO/throttleReadBpsDevice /linux/resources/blockIO/throttleWriteBpsDevice
/linux/resources/blockIO/throttleReadIOPSDevice /linux/resources/blockIO/throttleWriteIOPSDevice
/linux/resources/hugepageLimits/*/pageSize /linux/resources/hugepageLimits/*/limit
/linux/resources/network/classID /linux/resources/network/priorities /linux/resources/pids/limit
/linux/resources/rdma /linux/resources/unified
/linux/intelRdt/closID /linux/intelRdt/l3CacheSchema /linux/intelRdt/memBwSchema /linux/intelRdt/schemata
/linux/intelRdt/enableMonitoring /linux/memoryPolicy/mode /linux/memoryPolicy/nodes /linux/memoryPolicy/flags
/linux/netDevices /linux/netDevices/*/name /linux/sysctl
/linux/seccomp/defaultAction /linux/seccomp/defaultErrnoRet /linux/seccomp/architectures /linux/seccomp/flags
/linux/seccomp/listenerPath /linux/seccomp/listenerMetadata /linux/seccomp/syscalls/*/names
/linux/seccomp/syscalls/*/action /linux/seccomp/syscalls/*/errnoRet /linux/seccomp/syscalls/*/args/*/index
/linux/seccomp/syscalls/*/args/*/value /linux/seccomp/syscalls/*/args/*/valueTwo
/linux/seccomp/syscalls/*/args/*/op /linux/rootfsPropagation /linux/maskedPaths /linux/readonlyPaths
/linux/mountLabel /linux/personality/domain /linux/personality/flags
""".split()


def coverage(cases: list[Case]) -> list[tuple[str, int, int]]:
    """(spec field, valid cases naming it, invalid cases naming it) for every field of SPEC_FIELDS."""
    import fnmatch

    rows = []
    for pattern in SPEC_FIELDS:
        valid = invalid = 0
        for case in cases:
            fields = case.expect.get("fields", [])
            if any(fnmatch.fnmatchcase(f, pattern) or f.startswith(pattern + "/") for f in fields):
                if case.expect.get("mode", "run") == "invalid":
                    invalid += 1
                else:
                    valid += 1
        rows.append((pattern, valid, invalid))
    return rows


def print_coverage(cases: list[Case]) -> int:
    rows = coverage(cases)
    width = max(len(r[0]) for r in rows)
    print(f"{'runtime-spec 1.3 field':{width}}  valid  invalid")
    for field, valid, invalid in rows:
        print(f"{field:{width}}  {valid:5}  {invalid:7}")
    none = [r[0] for r in rows if r[1] == 0 and r[2] == 0]
    print(f"\n{len(rows) - len(none)} of {len(rows)} fields covered; "
          f"{sum(1 for r in rows if r[1])} by a valid case, {sum(1 for r in rows if r[2])} by an invalid one")
    if none:
        print("not covered: " + " ".join(none))
    return 1 if none else 0


def parse_runtime(text: str) -> Runtime:
    """`BIN`, `NAME=BIN` or `NAME=BIN --global-opt ...` (e.g. `crun=crun --cgroup-manager=disabled`)."""
    import shlex

    name, sep, rest = text.partition("=")
    if not sep or " " in name:
        name, rest = "", text
    words = shlex.split(rest)
    path = shutil.which(words[0]) or words[0]
    if not os.access(path, os.X_OK):
        raise SystemExit(f"runtime {words[0]!r} not found or not executable")
    return Runtime(name or pathlib.Path(path).name, os.path.abspath(path), tuple(words[1:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--coverage", action="store_true",
                        help="print which spec fields the cases cover and exit")
    parser.add_argument("--runtime", action="append", metavar="[NAME=]BIN",
                        help="runtime to test (repeat for a side-by-side table; the first one decides "
                             "the exit status); NAME selects `runtimes.NAME` in expect.json")
    parser.add_argument("--only", nargs="+", metavar="CASE")
    parser.add_argument("--bundles", type=pathlib.Path, default=BUNDLES)
    parser.add_argument("-v", "--verbose", action="store_true", help="show details of every non-PASS cell")
    args = parser.parse_args(argv)
    cases = load_cases(args.bundles)
    if args.coverage:
        return print_coverage(cases)
    if not args.runtime:
        parser.error("at least one --runtime is required")
    if os.geteuid() != 0:
        parser.error("bundle tests need root")
    runtimes = [parse_runtime(r) for r in args.runtime]
    if args.only:
        unknown = set(args.only) - {c.name for c in cases}
        if unknown:
            parser.error("no such case: " + ", ".join(sorted(unknown)))
        cases = [c for c in cases if c.name in set(args.only)]

    results: dict[str, dict[str, Outcome]] = {}
    width = max(len(c.name) for c in cases)
    header = f"{'case':{width}}  " + "  ".join(f"{r.name:8}" for r in runtimes)
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="pyrunc-conf-", dir="/var/tmp") as tmp:
        scratch = pathlib.Path(tmp)
        # Reachable by the mapped root of user-namespace cases (mkdtemp makes it 0700).
        scratch.chmod(0o755)
        template = build_rootfs(scratch / "template-rootfs")
        try:
            for case in cases:
                row = results.setdefault(case.name, {})
                for runtime in runtimes:
                    row[runtime.name] = run_case(case, runtime, template, scratch)
                print(f"{case.name:{width}}  " + "  ".join(f"{row[r.name].verdict:8}" for r in runtimes),
                      flush=True)
        finally:
            remove_cgroup_parent()

    print()
    for runtime in runtimes:
        counts: dict[str, int] = {}
        for row in results.values():
            v = row[runtime.name].verdict
            counts[v] = counts.get(v, 0) + 1
        verdicts = ("PASS", "FAIL", "XFAIL", "XPASS", "SKIP")
        summary = ", ".join(f"{counts.get(k, 0)} {k.lower()}" for k in verdicts)
        print(f"{runtime.name}: {summary} (of {len(results)})")
    details = [(c, r.name, results[c][r.name]) for c in results for r in runtimes
               if results[c][r.name].verdict != "PASS"
               and (args.verbose or results[c][r.name].verdict in ("FAIL", "XPASS"))]
    if details:
        print()
        for case_name, rname, outcome in details:
            print(f"{outcome.verdict:5} {case_name} [{rname}]: {outcome.detail}")
    first = runtimes[0].name
    return 1 if any(row[first].verdict == "FAIL" for row in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
