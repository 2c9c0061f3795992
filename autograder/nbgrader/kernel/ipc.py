"""ZeroMQ over unix sockets between nbgrader and the sandboxed kernel.

The sandbox has its own network namespace: ZeroMQ's *ipc* transport (unix sockets) is the only
way across. nbgrader connects to ``<ip>-<port>`` (``c.KernelManager.ip`` is :func:`ipc_address`,
a private folder of the nbgrader process); the kernel binds its sockets in a fresh private folder
(``/run/kernel`` inside); the addresses nbgrader connects to are symlinks to them
(:func:`link_addresses`). The sandbox never sees the folder that nbgrader's addresses live in.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def short_tempdir(prefix: str) -> str:
    """A new private folder for unix sockets, whose paths must stay under 108 bytes: in the
    temporary folder ($TMPDIR), or /tmp or /var/tmp when that is too deep."""
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        if len(base) <= 60 and os.path.isdir(base) and os.access(base, os.W_OK):
            return tempfile.mkdtemp(prefix=prefix, dir=base)
    raise OSError("no temporary folder with a path short enough for unix sockets")


@functools.lru_cache(maxsize=1)
def ipc_address() -> str:
    """An absolute ZeroMQ ipc address in a private folder of this process (for
    ``c.KernelManager.ip``): nbgrader connects to ``<address>-<port>``. jupyter_client's default,
    ``kernel-ipc``, is relative, and nbgrader and the kernel have different working folders."""
    import atexit

    folder = short_tempdir("tln-ipc-")
    atexit.register(shutil.rmtree, folder, True)
    return os.path.join(folder, "kernel")


def link_addresses(info: dict, kernel_dir: Path, inner_ip: str) -> list[Path]:
    """Write the kernel's connection file (``kernel_dir/connection.json``: the same ports and key,
    its sockets at ``inner_ip``) and link nbgrader's addresses (``info["ip"]-<port>``) to the
    sockets the kernel will bind in ``kernel_dir``. Returns the links."""
    (kernel_dir / "connection.json").write_text(json.dumps({**info, "ip": inner_ip}))
    links = []
    for name in PORT_NAMES:
        port = int(info[name])
        link = Path(f"{info['ip']}-{port}")
        tmp = link.with_name(f".{link.name}.{os.getpid()}")
        os.symlink(kernel_dir / f"{Path(inner_ip).name}-{port}", tmp)
        os.replace(tmp, link)
        links.append(link)
    return links


def unlink_addresses(links: list[Path], private: Path) -> None:
    """Remove the links that still point into ``private``."""
    for link in links:
        try:
            if os.readlink(link).startswith(str(private)):
                link.unlink()
        except OSError:
            pass
