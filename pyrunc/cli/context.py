"""What every subcommand gets from the global flags."""

from __future__ import annotations

import os

from ..log import LOG, Logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..state.store import Store


def default_root() -> str:
    if os.geteuid() == 0:
        return "/run/pyrunc"
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return os.path.join(xdg, "pyrunc")
    return f"/tmp/pyrunc-{os.geteuid()}"


class Context:
    def __init__(self, root: str | None, systemd_cgroup: bool, rootless: str, debug: bool) -> None:
        self.root = os.path.abspath(root) if root else default_root()
        self.systemd_cgroup = systemd_cgroup
        self.rootless = rootless
        self.debug = debug
        self.log: Logger = LOG
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from ..state.store import Store

            self._store = Store(self.root)
        return self._store

    def is_rootless(self) -> bool:
        if self.rootless == "true":
            return True
        if self.rootless == "false":
            return False
        return os.geteuid() != 0
