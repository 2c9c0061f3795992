"""Install CIFAR-10 (the "python version") for the two_layer_net assignment.

    python -m twolayer.download_cifar10                      # download the official archive
    python -m twolayer.download_cifar10 --archive FILE       # install a cifar-10-python.tar.gz you have
    python -m twolayer.download_cifar10 --dest DIR           # install somewhere else (then set CIFAR10_DIR=DIR)

The archive is checked against the official MD5 before anything is unpacked. Unpacking
accepts only regular files and folders under ``cifar-10-batches-py/`` (no absolute paths,
``..``, links or devices), happens in a temporary folder inside the destination, and the
result is renamed into place only once every batch has been read back successfully.

The default destination is ``twolayer/datasets/`` (``data.default_data_dir()``), where
``twolayer.data`` looks first. The course keeps using the bundled digits dataset until
``dataset = "cifar10"`` is set in ``twolayer/assignment.toml`` (or TWO_LAYER_NET_DATASET=cifar10).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from . import data

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_MD5 = "c58f30108f718f92721af3b95e74349a"
ARCHIVE_NAME = "cifar-10-python.tar.gz"

_CHUNK = 1 << 20
_TMP_PREFIX = ".cifar-10-install-"


class InstallError(Exception):
    """Installing CIFAR-10 failed for a reason the message explains (no traceback needed)."""


def md5sum(path: str | os.PathLike[str]) -> str:
    """The MD5 of a file, as 32 hex digits."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    expected_md5: str | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` into a temporary file in the folder ``dest`` and check its MD5.

    Args:
        url: the archive's address (any scheme urllib knows: https, http, file).
        dest: the folder to put the temporary file in (created if needed).
        expected_md5: the MD5 the file must have; ``None`` means ``OFFICIAL_MD5``.
        progress: show a tqdm progress bar on stderr.
        timeout: seconds to wait for the server.

    Returns:
        The path of the downloaded file (a hidden ``.part`` file in ``dest``; the caller
        deletes it once installed).

    Raises:
        InstallError: the download failed or the MD5 differs (no file is left behind).
    """
    from tqdm.auto import tqdm

    expected = (expected_md5 or OFFICIAL_MD5).lower()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".tar.gz.part", dir=dest)
    part = Path(name)
    digest = hashlib.md5()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=ARCHIVE_NAME,
                disable=not progress,
                leave=False,
            ) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        got = digest.hexdigest()
        if got != expected:
            raise InstallError(
                f"the file downloaded from {url} has MD5 {got}, not {expected}: it is damaged "
                "or not the official archive; it was deleted, try again"
            )
    except (urllib.error.URLError, OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise InstallError(
            f"could not download {url} ({reason}). Without internet access, fetch "
            f"{ARCHIVE_NAME} on another machine and run "
            f"`python -m twolayer.download_cifar10 --archive PATH/{ARCHIVE_NAME}`"
        ) from exc
    except BaseException:  # deliberate: no partial download left, then re-raise
        part.unlink(missing_ok=True)
        raise
    return part


def _check_member(member: tarfile.TarInfo) -> PurePosixPath:
    """The member's path if it is a regular file or folder under cifar-10-batches-py/."""
    name = member.name
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise InstallError(f"refusing the archive: member {name!r} has an absolute path")
    if ".." in parts:
        raise InstallError(f"refusing the archive: member {name!r} points outside its folder (..)")
    if not (member.isfile() or member.isdir()):
        kind = (
            "a symlink"
            if member.issym()
            else "a hard link"
            if member.islnk()
            else "a device"
            if member.isdev()
            else "not a regular file"
        )
        raise InstallError(f"refusing the archive: member {name!r} is {kind}")
    relative = PurePosixPath(*[p for p in parts if p != "."]) if parts else PurePosixPath()
    if not relative.parts or relative.parts[0] != data.CIFAR10_FOLDER:
        raise InstallError(f"refusing the archive: member {name!r} is not under {data.CIFAR10_FOLDER}/")
    return relative


def _check_archive(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Every member, after checking them all, or InstallError before anything is written."""
    members = tar.getmembers()
    present = set()
    for member in members:
        relative = _check_member(member)
        if member.isfile() and len(relative.parts) == 2:
            present.add(relative.parts[1])
    missing = [name for name in data.CIFAR10_FILES if name not in present]
    if missing:
        raise InstallError(
            f"refusing the archive: it is not CIFAR-10's python version "
            f"({data.CIFAR10_FOLDER}/{', '.join(missing)} missing)"
        )
    return members


def _verify_batches(folder: Path) -> None:
    """Read every unpacked file back with the safe loader (raises InstallError)."""
    try:
        data.load_cifar10_meta(folder / data.CIFAR10_META)
        for name in (*data.CIFAR10_TRAIN_BATCHES, data.CIFAR10_TEST_BATCH):
            data.load_cifar10_batch(folder / name)
    except Exception as exc:  # UnpicklingError, ValueError: the message names the file
        raise InstallError(f"refusing the archive: {exc}") from exc


def install_archive(
    archive: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    verify: bool = True,
    replace: bool = False,
) -> Path:
    """Unpack a ``cifar-10-python.tar.gz`` into ``dest/cifar-10-batches-py``.

    Args:
        archive: the archive file.
        dest: the folder to install into (created if needed).
        verify: require the official MD5.
        replace: replace an existing ``dest/cifar-10-batches-py``.

    Returns:
        The installed ``cifar-10-batches-py`` folder.

    Raises:
        InstallError: wrong MD5, unsafe or incomplete archive, or already installed.
    """
    archive, dest = Path(archive), Path(dest)
    if not archive.is_file():
        raise InstallError(f"no archive at {archive}")
    if verify:
        got = md5sum(archive)
        if got != OFFICIAL_MD5:
            raise InstallError(
                f"{archive} has MD5 {got}, not the official {OFFICIAL_MD5}: it is not the "
                "official cifar-10-python.tar.gz. An archive built by the course's ../shared "
                "build script went through a JPEG round trip and has a different MD5: install "
                "it with --no-verify"
            )
    target = dest / data.CIFAR10_FOLDER
    if (target.exists() or target.is_symlink()) and not replace:
        raise InstallError(f"{target} already exists: use --force to replace it")

    dest.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=dest))
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                members = _check_archive(tar)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(work, members=members, filter="data")
                else:  # pragma: no cover - Python without extraction filters
                    tar.extractall(work, members=members)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise InstallError(f"cannot unpack {archive}: {exc}") from exc
        unpacked = work / data.CIFAR10_FOLDER
        _verify_batches(unpacked)
        if target.exists() or target.is_symlink():
            os.replace(target, work / "previous")
        os.replace(unpacked, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _same_place(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m twolayer.download_cifar10",
        description="Install CIFAR-10 (python version) for the two_layer_net assignment.",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=None,
        help=f"folder to install into (default: {data.default_data_dir()}); it gets a {data.CIFAR10_FOLDER}/ subfolder",
    )
    parser.add_argument(
        "--archive",
        type=Path,
        default=None,
        help=f"install from this local {ARCHIVE_NAME} instead of downloading",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="with --archive: accept an archive whose MD5 is not the official one "
        "(needed for the archive built by the course's ../shared script)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing installation",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit code (0 installed, 1 failed)."""
    args = _parser().parse_args(argv)
    dest: Path = args.dest if args.dest is not None else data.default_data_dir()
    target = dest / data.CIFAR10_FOLDER
    try:
        if args.no_verify and args.archive is None:
            raise InstallError("--no-verify applies only to --archive: downloads are always verified")
        if (target.exists() or target.is_symlink()) and not args.force:
            if data.is_cifar10_installed(target):
                print(f"CIFAR-10 is already installed in {target} (--force reinstalls it).")
                _print_next_steps(dest)
                return 0
            raise InstallError(f"{target} exists but is not a complete CIFAR-10 install: remove it or use --force")
        if args.archive is not None:
            print(f"Installing {args.archive} into {dest} ...")
            install_archive(args.archive, dest, verify=not args.no_verify, replace=args.force)
        else:
            print(f"Downloading {OFFICIAL_URL} (163 MB) ...")
            part = download(OFFICIAL_URL, dest)
            try:
                print("MD5 checked; unpacking ...")
                install_archive(part, dest, verify=False, replace=args.force)
            finally:
                part.unlink(missing_ok=True)
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PermissionError as exc:
        print(
            f"error: {exc}; choose a writable folder with --dest DIR and set {data.CIFAR10_DIR_ENV}=DIR",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing was installed", file=sys.stderr)
        return 130
    print(f"CIFAR-10 installed in {target}.")
    _print_next_steps(dest)
    return 0


def _print_next_steps(dest: Path) -> None:
    from . import config

    print(
        f'To use it, set dataset = "cifar10" in {config.SETTINGS_FILE} (or TWO_LAYER_NET_DATASET=cifar10 for one run).'
    )
    if not _same_place(dest, data.default_data_dir()):
        print(f"It is not in the default folder, so also set {data.CIFAR10_DIR_ENV}={dest}")


if __name__ == "__main__":
    sys.exit(main())
