"""linux.netDevices: move host network devices into the container's network namespace (runtime-spec 1.3).

Done by the parent once the init exists, with iproute2's `ip` (rare enough not to need netlink code here).
When the namespace goes away the kernel moves physical devices back to the host and destroys virtual ones.
"""

from __future__ import annotations

from ..errors import ConfigError, PyruncError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def move_net_devices(devices: dict[str, Any], pid: int) -> None:
    import shutil
    import subprocess

    ip = shutil.which("ip") or "/sbin/ip"
    for host_name, spec in devices.items():
        new_name = (spec or {}).get("name") or host_name
        if "/" in new_name or len(new_name) > 15 or not new_name:
            raise ConfigError(f"/linux/netDevices/{host_name}/name", f"invalid interface name {new_name!r}")
        cmd = [ip, "link", "set", "dev", host_name, "netns", str(pid), "name", new_name]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PyruncError(f"move network device {host_name}: {exc}") from None
        if proc.returncode != 0:
            reason = proc.stderr.strip().lower() or f"ip exited {proc.returncode}"
            raise PyruncError(f"move network device {host_name} into the container: {reason}")
