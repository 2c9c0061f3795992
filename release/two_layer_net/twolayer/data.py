"""The two datasets of the assignment: scikit-learn's digits and CIFAR-10.

``load_dataset()`` returns the dataset the course uses (``dataset`` in ``assignment.toml``,
or the environment variable ``TWO_LAYER_NET_DATASET``) as a dict::

    X_train, y_train, X_val, y_val, X_test, y_test   # X float32 (N, C, H, W), y int64
    name         # "digits" or "cifar10"
    image_shape  # shape of one image in X: (1, 8, 8) or (3, 32, 32)
    class_names  # list of str, indexed by label
    mean_image   # float32 array of image_shape, already subtracted from every X

digits
    ``sklearn.datasets.load_digits()``: 1,797 grey 8x8 images of the digits 0-9, bundled
    with scikit-learn (works offline). Pixel values 0..16 are divided by 16, then the mean
    image of the training split is subtracted from all three splits. The split is fixed:
    ``train_test_split(..., test_size=500, stratify=y, random_state=0)`` keeps 1,297 training
    images, and a second ``train_test_split(..., test_size=250, stratify=..., random_state=0)``
    of the other 500 gives 250 validation and 250 test images. Every class is in every split
    in about its overall proportion, and the split is the same on every run.

cifar10
    The "python version" of CIFAR-10 (``cifar-10-batches-py/``: ``data_batch_1`` ..
    ``data_batch_5``, ``test_batch``, ``batches.meta``), preprocessed as in the original
    CS231n exercise: the first 49,000 of the 50,000 training images are the training split,
    the next 1,000 the validation split, the first 1,000 of ``test_batch`` the test split;
    pixel values stay 0..255 (float32) and the mean image of the training split is
    subtracted. The folder is taken from the ``cifar10_dir`` argument, else the environment
    variable ``CIFAR10_DIR``, else ``default_data_dir()`` (``twolayer/datasets/``); either the
    folder holding ``cifar-10-batches-py`` or that folder itself. Install it with
    ``python -m twolayer.download_cifar10``.

The CIFAR-10 batches are pickles. They are read with a restricted unpickler that builds
numpy arrays, lists, numbers and strings only and refuses anything else, so a tampered
file cannot run code.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import config

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_DIR_ENV",
    "CIFAR10_FILES",
    "CIFAR10_FOLDER",
    "CIFAR10_META",
    "CIFAR10_TEST_BATCH",
    "CIFAR10_TRAIN_BATCHES",
    "DIGITS_SPLIT",
    "DatasetNotInstalled",
    "default_data_dir",
    "find_cifar10",
    "is_cifar10_installed",
    "load_cifar10",
    "load_cifar10_batch",
    "load_cifar10_meta",
    "load_dataset",
    "load_digits",
]

#: Environment variable naming the folder that holds CIFAR-10.
CIFAR10_DIR_ENV = "CIFAR10_DIR"
#: The folder of the official "python version" archive.
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_META = "batches.meta"
#: The files a complete install has.
CIFAR10_FILES = (*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH, CIFAR10_META)
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CIFAR10_IMAGE_SHAPE = (3, 32, 32)
_CIFAR10_ROW = 3 * 32 * 32

#: (training, validation, test) sizes of the fixed digits split.
DIGITS_SPLIT = (1297, 250, 250)
DIGITS_IMAGE_SHAPE = (1, 8, 8)
_DIGITS_SEED = 0


class DatasetNotInstalled(FileNotFoundError):
    """The dataset the course asks for is not on this machine (the message says what to run)."""


def default_data_dir() -> Path:
    """The default home of downloaded datasets: the ``datasets`` folder inside ``twolayer``."""
    return Path(__file__).resolve().parent / "datasets"


# --------------------------------------------------------------------------------------
# The dataset the course uses


def load_dataset(name: str | None = None, *, cifar10_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Load the course's dataset, split and mean-subtracted (see the module docstring).

    Args:
        name: ``"digits"`` or ``"cifar10"``; ``None`` means ``config.dataset_name()``
            (``TWO_LAYER_NET_DATASET`` if set, else ``dataset`` in ``assignment.toml``).
        cifar10_dir: where CIFAR-10 is installed (used only for ``"cifar10"``); ``None``
            means ``$CIFAR10_DIR``, else ``default_data_dir()``.

    Returns:
        A dict with ``X_train, y_train, X_val, y_val, X_test, y_test`` (X float32 of shape
        ``(N, *image_shape)``, y int64), ``name``, ``image_shape``, ``class_names`` and
        ``mean_image``.

    Raises:
        DatasetNotInstalled: CIFAR-10 is asked for but not installed.
    """
    name = config.dataset_name(name)
    if name == "digits":
        return load_digits()
    return load_cifar10(cifar10_dir)


# --------------------------------------------------------------------------------------
# digits


def load_digits() -> dict[str, Any]:
    """scikit-learn's 8x8 digits with the fixed 1,297 / 250 / 250 stratified split.

    Pixels are scaled to 0..1 (divided by 16) and the training split's mean image is
    subtracted; X has shape ``(N, 1, 8, 8)``. The same arrays come back on every call.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits
    from sklearn.model_selection import train_test_split

    digits = sklearn_load_digits()
    images = np.asarray(digits.images, dtype=np.float64) / 16.0
    labels = np.asarray(digits.target, dtype=np.int64)
    num_training, num_validation, num_test = DIGITS_SPLIT
    assert len(labels) == num_training + num_validation + num_test

    index = np.arange(len(labels))
    train_idx, rest_idx = train_test_split(
        index, test_size=num_validation + num_test, stratify=labels, random_state=_DIGITS_SEED
    )
    val_idx, test_idx = train_test_split(
        rest_idx, test_size=num_test, stratify=labels[rest_idx], random_state=_DIGITS_SEED
    )

    X = images.reshape(len(labels), *DIGITS_IMAGE_SHAPE)
    mean_image = X[train_idx].mean(axis=0)
    X = (X - mean_image).astype(np.float32)
    return {
        "X_train": X[train_idx],
        "y_train": labels[train_idx],
        "X_val": X[val_idx],
        "y_val": labels[val_idx],
        "X_test": X[test_idx],
        "y_test": labels[test_idx],
        "name": "digits",
        "image_shape": DIGITS_IMAGE_SHAPE,
        "class_names": [str(digit) for digit in range(10)],
        "mean_image": mean_image.astype(np.float32),
    }


# --------------------------------------------------------------------------------------
# CIFAR-10: where it is


def _not_installed(where: Path, why: str) -> DatasetNotInstalled:
    return DatasetNotInstalled(
        f"CIFAR-10 is not installed: {why} {where}. Install it with "
        "`python -m twolayer.download_cifar10` (downloads the official archive, 163 MB) or "
        "`python -m twolayer.download_cifar10 --archive PATH/cifar-10-python.tar.gz` "
        f"(installs from a local copy); if it is installed elsewhere, set {CIFAR10_DIR_ENV} to "
        'that folder. Or stay on the bundled digits dataset (dataset = "digits" in '
        "twolayer/assignment.toml, or unset TWO_LAYER_NET_DATASET)."
    )


def _missing_files(folder: Path) -> list[str]:
    return [name for name in CIFAR10_FILES if not (folder / name).is_file()]


def find_cifar10(cifar10_dir: str | os.PathLike[str] | None = None) -> Path:
    """The ``cifar-10-batches-py`` folder of a complete CIFAR-10 install.

    Args:
        cifar10_dir: the folder holding ``cifar-10-batches-py``, or that folder itself;
            ``None`` means ``$CIFAR10_DIR``, else ``default_data_dir()``.

    Raises:
        DatasetNotInstalled: no complete install there (the message says how to install it).
    """
    if cifar10_dir is None:
        cifar10_dir = os.environ.get(CIFAR10_DIR_ENV) or default_data_dir()
    root = Path(cifar10_dir).expanduser()
    for folder in (root / CIFAR10_FOLDER, root):
        if folder.is_dir() and not _missing_files(folder):
            return folder
    inner = root / CIFAR10_FOLDER
    if inner.is_dir():
        missing = ", ".join(_missing_files(inner))
        raise _not_installed(inner, f"{missing} missing in")
    raise _not_installed(root, f"no {CIFAR10_FOLDER} folder in")


def is_cifar10_installed(cifar10_dir: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``find_cifar10(cifar10_dir)`` finds a complete install."""
    try:
        find_cifar10(cifar10_dir)
    except DatasetNotInstalled:
        return False
    return True


# --------------------------------------------------------------------------------------
# CIFAR-10: reading the pickles safely


def _numpy_global(module: str, name: str) -> Any:
    """``numpy._core.<module>.<name>`` on numpy 2, ``numpy.core.<module>.<name>`` on numpy 1."""
    import importlib

    try:
        return getattr(importlib.import_module(f"numpy._core.{module}"), name)
    except (ImportError, AttributeError):  # numpy 1.x
        return getattr(importlib.import_module(f"numpy.core.{module}"), name)


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """The one use of ``_codecs.encode`` in Python 3's protocol-2 pickles: bytes as latin-1 text."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(
            f"refusing _codecs.encode({type(text).__name__}, {encoding!r}): "
            "only latin-1 bytes are allowed in CIFAR-10 batches"
        )
    return text.encode("latin1")


def _allowed_globals() -> dict[tuple[str, str], Callable[..., Any]]:
    reconstruct = _numpy_global("multiarray", "_reconstruct")
    scalar = _numpy_global("multiarray", "scalar")
    allowed: dict[tuple[str, str], Callable[..., Any]] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _latin1_encode,
    }
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = reconstruct
        allowed[(module, "scalar")] = scalar
    return allowed


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays, lists, dicts, numbers and strings, nothing else."""

    def __init__(self, file: Any, path: Path) -> None:
        super().__init__(file, encoding="latin1")
        self._path = path
        self._allowed = _allowed_globals()

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from {self._path}: CIFAR-10 batches contain "
                "only arrays, lists, numbers and strings (the file is not a genuine CIFAR-10 "
                "batch; reinstall with `python -m twolayer.download_cifar10 --force`)"
            ) from None


def _as_str(value: Any) -> Any:
    return value.decode("latin1") if isinstance(value, bytes) else value


def _load_pickle(path: Path) -> dict[str, Any]:
    """Unpickle ``path`` safely; a dict with its keys as str (bytes keys are decoded)."""
    try:
        with open(path, "rb") as f:
            obj = _ArrayUnpickler(f, path).load()
    except pickle.UnpicklingError as exc:
        if str(path) in str(exc):
            raise
        raise pickle.UnpicklingError(f"cannot read {path}: {exc}") from exc
    except OSError:
        raise
    except Exception as exc:  # EOFError, numpy's ValueError/TypeError on malformed state, ...
        raise ValueError(f"{path} is not a readable CIFAR-10 pickle: {exc}") from exc
    if not isinstance(obj, dict):
        raise ValueError(  # noqa: TRY004 - a bad file, not a bad argument
            f"{path} is not a CIFAR-10 batch: it holds a {type(obj).__name__}, not a dict"
        )
    return {_as_str(key): value for key, value in obj.items()}


def load_cifar10_batch(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 batch file: ``(data, labels)``.

    ``data`` is the uint8 array of shape ``(N, 3072)`` exactly as stored (each row a 3x32x32
    image, channel-major), ``labels`` an int64 array of shape ``(N,)`` with values 0..9.

    Raises:
        pickle.UnpicklingError: the file asks for anything but numpy arrays.
        ValueError: the file is not a well-formed CIFAR-10 batch (the message names it).
    """
    path = Path(path)
    batch = _load_pickle(path)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _CIFAR10_ROW:
        found = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: 'data' must be a uint8 array with {_CIFAR10_ROW} columns, found {found}"
        )
    if not isinstance(labels, (list, tuple)) or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 9 for v in labels
    ):
        raise ValueError(f"{path} is not a CIFAR-10 batch: 'labels' must be a list of ints 0..9")
    if len(labels) != len(data):
        raise ValueError(f"{path} is not a CIFAR-10 batch: {len(labels)} labels for {len(data)} images")
    return data, np.asarray(labels, dtype=np.int64)


def load_cifar10_meta(path: str | os.PathLike[str]) -> list[str]:
    """The class names stored in ``batches.meta`` (the 10 ``label_names``)."""
    path = Path(path)
    names = _load_pickle(path).get("label_names")
    if (
        not isinstance(names, (list, tuple))
        or len(names) != len(CIFAR10_CLASSES)
        or not all(isinstance(n, (str, bytes)) for n in names)
    ):
        raise ValueError(
            f"{path} is not CIFAR-10's batches.meta: 'label_names' must be a list of {len(CIFAR10_CLASSES)} strings"
        )
    return [_as_str(n) for n in names]


# --------------------------------------------------------------------------------------
# CIFAR-10: the splits


def _read_rows(
    folder: Path, batches: tuple[str, ...], count: int, num_summed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``count`` images of ``batches`` (in order) as float32 ``(count, 3, 32, 32)``,
    their labels, and the float64 per-pixel sum of the first ``num_summed`` of them (summed
    from the uint8 data: no float64 copy of the images is made)."""
    X = np.empty((count, _CIFAR10_ROW), dtype=np.float32)
    y = np.empty(count, dtype=np.int64)
    total = np.zeros(_CIFAR10_ROW, dtype=np.float64)
    filled = 0
    for name in batches:
        if filled == count:
            break
        data, labels = load_cifar10_batch(folder / name)
        take = min(count - filled, len(data))
        X[filled : filled + take] = data[:take]  # uint8 -> float32 directly
        y[filled : filled + take] = labels[:take]
        summed = min(max(num_summed - filled, 0), take)
        if summed:
            total += data[:summed].sum(axis=0, dtype=np.float64)
        filled += take
    if filled < count:
        raise ValueError(f"{folder} holds only {filled} images in {', '.join(batches)}, {count} were asked for")
    return X.reshape(count, *CIFAR10_IMAGE_SHAPE), y, total


def load_cifar10(
    cifar10_dir: str | os.PathLike[str] | None = None,
    *,
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
) -> dict[str, Any]:
    """CIFAR-10 split and mean-subtracted as in the original CS231n exercise.

    The training split is the first ``num_training`` images of ``data_batch_1..5``, the
    validation split the next ``num_validation``, the test split the first ``num_test`` of
    ``test_batch``. X is float32 of shape ``(N, 3, 32, 32)`` with pixel values 0..255 minus
    the training split's mean image.

    Args:
        cifar10_dir: see ``find_cifar10``.
        num_training, num_validation, num_test: split sizes (the defaults are CS231n's).

    Returns:
        The dict described in ``load_dataset``.

    Raises:
        DatasetNotInstalled: CIFAR-10 is not installed there.
        pickle.UnpicklingError, ValueError: a file is not a genuine CIFAR-10 batch.
    """
    if min(num_training, num_validation, num_test) < 0 or num_training == 0:
        raise ValueError("split sizes must be non-negative and num_training positive")
    folder = find_cifar10(cifar10_dir)
    class_names = load_cifar10_meta(folder / CIFAR10_META)

    X_trval, y_trval, total = _read_rows(
        folder, CIFAR10_TRAIN_BATCHES, num_training + num_validation, num_summed=num_training
    )
    X_test, y_test, _ = _read_rows(folder, (CIFAR10_TEST_BATCH,), num_test)
    mean_image = (total / num_training).astype(np.float32).reshape(CIFAR10_IMAGE_SHAPE)

    X_trval -= mean_image  # in place, float32
    X_test -= mean_image
    return {
        "X_train": X_trval[:num_training],
        "y_train": y_trval[:num_training],
        "X_val": X_trval[num_training:],
        "y_val": y_trval[num_training:],
        "X_test": X_test,
        "y_test": y_test,
        "name": "cifar10",
        "image_shape": CIFAR10_IMAGE_SHAPE,
        "class_names": class_names,
        "mean_image": mean_image,
    }
