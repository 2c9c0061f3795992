"""The hub's passwords: scrypt hashes in one root-only file, and the JupyterHub authenticator
that checks them.

Why not PAM: the hub's users would need Unix passwords, and with them could log in to the
machine (ssh, su) as the course's students; here the Unix users have none, and a leaked hash
file gives nothing but hub logins (scrypt, n=2**14, a salt per user). `install` makes a first
password per person and writes it, once, to a root-only file for the instructor to hand out;
``python -m autograder.hub password NAME`` sets another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

N, R, P = 2**14, 8, 1  # scrypt's interactive-login parameters (16 MiB, about 50 ms)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def verify(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


def read(path: Path) -> dict[str, str]:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return {}


def write(path: Path, hashes: dict[str, str]) -> None:
    """Replace the file atomically, readable by root only."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(hashes, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def set_password(path: Path, name: str, password: str) -> None:
    write(path, {**read(path), name: hash_password(password)})


def new_password() -> str:
    return secrets.token_urlsafe(12)


def make_authenticator_class():
    """The JupyterHub authenticator (a function, so that this module imports without JupyterHub)."""
    from jupyterhub.auth import Authenticator
    from traitlets import Unicode

    class CoursePasswordAuthenticator(Authenticator):
        """Logs in the hub's users with the passwords of ``password_file`` (scrypt hashes)."""

        password_file = Unicode(help="the JSON file of name -> scrypt hash").tag(config=True)

        async def authenticate(self, handler, data):
            name = self.normalize_username(data.get("username", ""))
            stored = read(Path(self.password_file)).get(name)
            if stored and verify(data.get("password", ""), stored):
                return name
            self.log.warning("Failed login for %r", name)
            return None

    return CoursePasswordAuthenticator
