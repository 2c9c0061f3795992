"""The student's upload in ``/autograder/submission``: the notebook, whatever its name, and
``best_model.npz`` when there is one.

Gradescope unpacks an uploaded zip there, so the notebook may sit in a folder of the zip; editor
leftovers (``.ipynb_checkpoints``, macOS's ``__MACOSX``) are not notebooks of the student's.
The .npz is read with ``allow_pickle=False`` (no code in it runs) and only after its stated sizes
are checked, so that a crafted file cannot fill the grader's memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

MODEL_FILE = "best_model.npz"
PARAMS = ("W1", "b1", "W2", "b2")
MAX_MODEL_BYTES = 256 * 1024**2  # uncompressed; CIFAR-10's largest sensible network is ~10 MB
IGNORED = ("__MACOSX", ".ipynb_checkpoints")


class UploadProblem(Exception):
    """The upload cannot be graded, for a reason the message gives the student."""


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob(pattern)
        if p.is_file() and not p.is_symlink() and not any(part in IGNORED for part in p.relative_to(folder).parts)
    )


def find_notebook(folder: Path) -> Path:
    """The one notebook of the upload."""
    found = _files(folder, "*.ipynb")
    if not found:
        uploaded = ", ".join(str(p.relative_to(folder)) for p in _files(folder, "*")) or "nothing"
        raise UploadProblem(
            f"no Jupyter notebook (.ipynb) was uploaded (the upload holds: {uploaded}). Upload your "
            "two_layer_net.ipynb, or the zip that the notebook's last cell writes."
        )
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in found)
        raise UploadProblem(
            f"{len(found)} notebooks were uploaded ({names}): upload exactly one, your two_layer_net.ipynb."
        )
    return found[0]


def find_model(folder: Path) -> Path | None:
    found = _files(folder, MODEL_FILE)
    if len(found) > 1:
        raise UploadProblem(f"{len(found)} files named {MODEL_FILE} were uploaded: upload one.")
    return found[0] if found else None


def load_model(path: Path) -> dict[str, np.ndarray]:
    """The parameters in ``best_model.npz`` (any problem: :class:`UploadProblem`)."""
    try:
        with zipfile.ZipFile(path) as z:
            stated = sum(info.file_size for info in z.infolist())
        if stated > MAX_MODEL_BYTES:
            raise UploadProblem(f"{MODEL_FILE} is larger than {MAX_MODEL_BYTES // 1024**2} MB unpacked")
        with np.load(path, allow_pickle=False) as z:
            params = {k: np.asarray(z[k]) for k in z.files if k in PARAMS}
    except UploadProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a broken upload raises, the student reads why
        raise UploadProblem(
            f"{MODEL_FILE} could not be read ({type(exc).__name__}: {exc}): save it again with the "
            "notebook's save_params(best_model, 'best_model.npz'), or leave it out"
        ) from None
    missing = [k for k in PARAMS if k not in params]
    if missing:
        raise UploadProblem(f"{MODEL_FILE} lacks the parameter(s) {', '.join(missing)}")
    return params
