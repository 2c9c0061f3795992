"""twolayer.data (digits, CIFAR-10, safe unpickling) and twolayer.download_cifar10."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import struct
import tarfile
import uuid
from pathlib import Path

import numpy as np
import pytest

from twolayer import data
from twolayer import download_cifar10 as dl

SPLITS = ("train", "val", "test")
PER_BATCH = 20  # images in each synthetic batch


# --------------------------------------------------------------------------------------
# digits


@pytest.fixture(scope="module")
def digits():
    return data.load_dataset("digits")


def test_digits_shapes_and_dtypes(digits):
    assert digits["name"] == "digits"
    assert digits["image_shape"] == (1, 8, 8)
    assert digits["class_names"] == [str(d) for d in range(10)]
    sizes = {"train": 1297, "val": 250, "test": 250}
    assert tuple(sizes.values()) == data.DIGITS_SPLIT
    for split, n in sizes.items():
        X, y = digits[f"X_{split}"], digits[f"y_{split}"]
        assert X.shape == (n, 1, 8, 8) and X.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
    assert digits["mean_image"].shape == (1, 8, 8) and digits["mean_image"].dtype == np.float32


def test_digits_preprocessing(digits):
    assert np.abs(digits["X_train"].mean(axis=0)).max() < 1e-5
    # 0..16 scaled to 0..1, then the mean is subtracted: adding it back gives 0..1 in steps of 1/16
    restored = digits["X_train"] + digits["mean_image"]
    assert restored.min() > -1e-5 and restored.max() < 1 + 1e-5
    assert np.allclose(restored * 16, np.round(restored * 16), atol=1e-4)


def test_digits_split_is_stratified_and_disjoint(digits):
    for split in SPLITS:
        counts = np.bincount(digits[f"y_{split}"], minlength=10)
        assert counts.min() > 0, f"a class is missing from the {split} split"
        fractions = counts / counts.sum()
        assert np.all(np.abs(fractions - 0.1) < 0.03)
    rows = {split: {x.tobytes() for x in digits[f"X_{split}"]} for split in SPLITS}
    # a few digits images are exact duplicates of each other, so allow a handful of overlaps
    assert len(rows["train"] & rows["val"]) < 5 and len(rows["train"] & rows["test"]) < 5


def test_digits_is_deterministic(digits):
    again = data.load_dataset("digits")
    for key in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "mean_image"):
        np.testing.assert_array_equal(digits[key], again[key])


def test_dataset_name_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TWO_LAYER_NET_DATASET", "digits")
    assert data.load_dataset()["name"] == "digits"
    monkeypatch.setenv("TWO_LAYER_NET_DATASET", "cifar10")
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    with pytest.raises(data.DatasetNotInstalled):
        data.load_dataset()


# --------------------------------------------------------------------------------------
# Synthetic CIFAR-10 batches in the official format


class _Py2Pickler(pickle._Pickler):
    """Writes bytes the way Python 2 wrote str (SHORT_BINSTRING / BINSTRING), like the
    official CIFAR-10 batches, instead of Python 3's ``_codecs.encode`` calls."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def py2_pickle(obj) -> bytes:
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(obj)
    # numpy 1 (and the official files) name numpy.core, numpy 2 numpy._core
    return buf.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def _batch(rng, n, label):
    return {
        "batch_label": label,
        "labels": [int(v) for v in rng.integers(0, 10, n)],
        "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        "filenames": [f"img_{i}.png" for i in range(n)],
    }


def _as_bytes(value):
    """Python 2's str: bytes (also inside lists of strings)."""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [v.encode() for v in value]
    return value


def write_cifar(root: Path, style: str = "str", n: int = PER_BATCH, seed: int = 0) -> dict:
    """Write a tiny CIFAR-10 (``n`` images per batch) into ``root/cifar-10-batches-py``.

    style "str": Python 3 protocol-2 pickles with str keys; "py2": Python-2-style pickles
    with byte-string keys and values, like the official files.
    """
    rng = np.random.default_rng(seed)
    folder = root / data.CIFAR10_FOLDER
    folder.mkdir(parents=True)
    batches = {
        name: _batch(rng, n, f"training batch {i + 1} of 5") for i, name in enumerate(data.CIFAR10_TRAIN_BATCHES)
    }
    batches[data.CIFAR10_TEST_BATCH] = _batch(rng, n, "testing batch 1 of 1")
    batches[data.CIFAR10_META] = {
        "num_cases_per_batch": n,
        "label_names": list(data.CIFAR10_CLASSES),
        "num_vis": 3072,
    }
    for name, content in batches.items():
        if style == "py2":
            raw = py2_pickle({k.encode(): _as_bytes(v) for k, v in content.items()})
        else:
            raw = pickle.dumps(content, protocol=2)
        (folder / name).write_bytes(raw)
    return batches


@pytest.mark.parametrize("style", ["str", "py2"])
def test_load_cifar10_on_synthetic_batches(tmp_path, style):
    batches = write_cifar(tmp_path, style)
    d = data.load_cifar10(tmp_path, num_training=85, num_validation=10, num_test=7)
    train = [batches[name] for name in data.CIFAR10_TRAIN_BATCHES]
    raw = np.concatenate([b["data"] for b in train]).reshape(-1, 3, 32, 32)
    labels = np.concatenate([b["labels"] for b in train])
    mean = raw[:85].mean(axis=0)

    assert d["name"] == "cifar10" and d["image_shape"] == (3, 32, 32)
    assert d["class_names"] == list(data.CIFAR10_CLASSES)
    for split, n in {"train": 85, "val": 10, "test": 7}.items():
        assert d[f"X_{split}"].shape == (n, 3, 32, 32) and d[f"X_{split}"].dtype == np.float32
        assert d[f"y_{split}"].shape == (n,) and d[f"y_{split}"].dtype == np.int64
    np.testing.assert_allclose(d["mean_image"], mean, rtol=1e-6)
    assert d["mean_image"].dtype == np.float32
    np.testing.assert_allclose(d["X_train"], raw[:85] - mean, atol=1e-4)
    np.testing.assert_allclose(d["X_val"], raw[85:95] - mean, atol=1e-4)
    test_raw = batches["test_batch"]["data"][:7].reshape(-1, 3, 32, 32)
    np.testing.assert_allclose(d["X_test"], test_raw - mean, atol=1e-4)
    np.testing.assert_array_equal(d["y_train"], labels[:85])
    np.testing.assert_array_equal(d["y_val"], labels[85:95])
    np.testing.assert_array_equal(d["y_test"], batches["test_batch"]["labels"][:7])
    assert np.abs(d["X_train"].mean(axis=0)).max() < 1e-3


def test_load_dataset_finds_cifar10_in_all_the_documented_places(tmp_path, monkeypatch):
    write_cifar(tmp_path)
    # the parent folder or cifar-10-batches-py itself, as an argument or through CIFAR10_DIR
    assert data.find_cifar10(tmp_path) == tmp_path / data.CIFAR10_FOLDER
    assert data.find_cifar10(tmp_path / data.CIFAR10_FOLDER) == tmp_path / data.CIFAR10_FOLDER
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / data.CIFAR10_FOLDER))
    assert data.is_cifar10_installed()
    assert data.find_cifar10() == tmp_path / data.CIFAR10_FOLDER
    monkeypatch.delenv("CIFAR10_DIR")
    monkeypatch.setattr(data, "default_data_dir", lambda: tmp_path)
    d = data.load_cifar10(num_training=90, num_validation=10, num_test=20)
    assert len(d["X_train"]) == 90 and len(d["X_val"]) == 10 and len(d["X_test"]) == 20


def test_default_data_dir_is_inside_the_package():
    assert data.default_data_dir() == Path(data.__file__).resolve().parent / "datasets"


def test_missing_cifar10_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    with pytest.raises(data.DatasetNotInstalled) as info:
        data.load_dataset("cifar10", cifar10_dir=tmp_path)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "python -m twolayer.download_cifar10" in message
    assert "--archive" in message and "digits" in message and str(tmp_path) in message
    # an incomplete install is not an install
    write_cifar(tmp_path)
    (tmp_path / data.CIFAR10_FOLDER / "data_batch_3").unlink()
    with pytest.raises(data.DatasetNotInstalled, match="data_batch_3"):
        data.load_cifar10(tmp_path)


def test_too_few_images_for_the_split(tmp_path):
    write_cifar(tmp_path)
    with pytest.raises(ValueError, match="only 100 images"):
        data.load_cifar10(tmp_path)  # 49,000 + 1,000 asked for


# --------------------------------------------------------------------------------------
# Safe unpickling


class _RunsShell:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class _Evals:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        import builtins

        return (builtins.eval, (self.code,))


@pytest.mark.parametrize("kind", ["os.system", "eval", "nested", "codecs"])
def test_malicious_pickles_are_refused_without_running_code(tmp_path, kind):
    marker = tmp_path / f"pwned_{uuid.uuid4().hex}"
    write_cifar(tmp_path)
    payload = {
        "os.system": lambda: _RunsShell(f"touch {marker}"),
        "eval": lambda: _Evals(f"open({str(marker)!r}, 'w').close()"),
        # hidden inside an otherwise valid batch
        "nested": lambda: {
            "data": np.zeros((1, 3072), np.uint8),
            "labels": [0],
            "filenames": [_RunsShell(f"touch {marker}")],
        },
        "codecs": lambda: None,
    }[kind]()
    raw = pickle.dumps(payload, protocol=2)
    if kind == "codecs":  # _codecs.encode is allowed for latin-1 bytes only
        raw = b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x05\x00\x00\x00rot13\x86R."
    batch = tmp_path / data.CIFAR10_FOLDER / "data_batch_1"
    batch.write_bytes(raw)

    with pytest.raises(pickle.UnpicklingError, match="refusing") as info:
        data.load_cifar10_batch(batch)
    assert str(batch) in str(info.value)
    if kind != "codecs":
        assert "CIFAR-10 batches contain only arrays, lists, numbers and strings" in str(info.value)
    with pytest.raises(pickle.UnpicklingError):
        data.load_cifar10(tmp_path, num_training=50, num_validation=10, num_test=5)
    assert not marker.exists()


@pytest.mark.parametrize(
    "content, match",
    [
        (["not", "a", "dict"], "not a dict"),
        ({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, "3072 columns"),
        ({"data": np.zeros((2, 3072), np.float64), "labels": [0, 1]}, "uint8"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}, "labels"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, "1 labels for 2 images"),
        ({"labels": [0]}, "'data'"),
    ],
)
def test_malformed_batches_are_named_in_the_error(tmp_path, content, match):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(content, protocol=2))
    with pytest.raises(ValueError, match=match) as info:
        data.load_cifar10_batch(path)
    assert str(path) in str(info.value)


def test_truncated_batch_is_a_clear_error(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(py2_pickle({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]})[:-500])
    with pytest.raises((ValueError, pickle.UnpicklingError)) as info:
        data.load_cifar10_batch(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------
# Installing an archive


def make_archive(path: Path, source: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        tar.add(source / data.CIFAR10_FOLDER, arcname=data.CIFAR10_FOLDER)
    return path


@pytest.fixture()
def archive(tmp_path):
    write_cifar(tmp_path / "src")
    return make_archive(tmp_path / "cifar-10-python.tar.gz", tmp_path / "src")


def _evil_archive(path: Path, source: Path, evil: tarfile.TarInfo, payload: bytes = b"") -> Path:
    """A CIFAR archive with one extra, dangerous member at the end."""
    with tarfile.open(path, "w:gz") as tar:
        tar.add(source / data.CIFAR10_FOLDER, arcname=data.CIFAR10_FOLDER)
        tar.addfile(evil, io.BytesIO(payload) if payload else None)
    return path


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_install_archive_with_no_verify(tmp_path, archive, capsys):
    dest = tmp_path / "dest"
    assert dl.main(["--archive", str(archive), "--no-verify", "--dest", str(dest)]) == 0
    out = capsys.readouterr().out
    installed = dest / data.CIFAR10_FOLDER
    assert sorted(p.name for p in installed.iterdir()) == sorted(data.CIFAR10_FILES)
    assert _leftovers(dest) == [data.CIFAR10_FOLDER]  # no temporary folder left
    assert str(installed) in out and "cifar10" in out and "CIFAR10_DIR" in out
    d = data.load_cifar10(dest, num_training=90, num_validation=10, num_test=20)
    assert d["X_train"].shape == (90, 3, 32, 32)

    # again: already installed is fine; --force replaces it
    assert dl.main(["--archive", str(archive), "--no-verify", "--dest", str(dest)]) == 0
    assert dl.main(["--archive", str(archive), "--no-verify", "--dest", str(dest), "--force"]) == 0
    assert _leftovers(dest) == [data.CIFAR10_FOLDER]


def test_md5_mismatch_is_refused_without_no_verify(tmp_path, archive, capsys):
    dest = tmp_path / "dest"
    assert dl.main(["--archive", str(archive), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "--no-verify" in err and "JPEG" in err and "Traceback" not in err
    assert _leftovers(dest) == []


@pytest.mark.parametrize(
    "kind", ["dotdot", "nested_dotdot", "absolute", "symlink", "hardlink", "device", "outside_folder"]
)
def test_unsafe_archives_are_refused(tmp_path, kind, capsys):
    write_cifar(tmp_path / "src")
    payload = b"evil"
    info = {
        "dotdot": tarfile.TarInfo("../evil"),
        "nested_dotdot": tarfile.TarInfo(f"{data.CIFAR10_FOLDER}/../../evil"),
        "absolute": tarfile.TarInfo(str(tmp_path / "evil")),
        "symlink": tarfile.TarInfo(f"{data.CIFAR10_FOLDER}/link"),
        "hardlink": tarfile.TarInfo(f"{data.CIFAR10_FOLDER}/hard"),
        "device": tarfile.TarInfo(f"{data.CIFAR10_FOLDER}/dev"),
        "outside_folder": tarfile.TarInfo("evil"),
    }[kind]
    if kind == "symlink":
        info.type, info.linkname, payload = tarfile.SYMTYPE, "../../evil", b""
    elif kind == "hardlink":
        info.type, info.linkname, payload = tarfile.LNKTYPE, "/etc/passwd", b""
    elif kind == "device":
        info.type, info.devmajor, info.devminor, payload = tarfile.CHRTYPE, 1, 3, b""
    info.size = len(payload)
    bad = _evil_archive(tmp_path / "bad.tar.gz", tmp_path / "src", info, payload)

    dest = tmp_path / "a" / "b" / "dest"
    assert dl.main(["--archive", str(bad), "--no-verify", "--dest", str(dest)]) == 1
    assert "refusing" in capsys.readouterr().err
    assert _leftovers(dest) == []
    for folder in (tmp_path, tmp_path / "a", tmp_path / "a" / "b"):
        assert not (folder / "evil").exists()


def test_incomplete_or_broken_archives_are_refused(tmp_path, capsys):
    write_cifar(tmp_path / "src")
    (tmp_path / "src" / data.CIFAR10_FOLDER / "test_batch").unlink()
    incomplete = make_archive(tmp_path / "incomplete.tar.gz", tmp_path / "src")
    not_tar = tmp_path / "not.tar.gz"
    not_tar.write_bytes(b"this is not an archive")
    dest = tmp_path / "dest"
    assert dl.main(["--archive", str(incomplete), "--no-verify", "--dest", str(dest)]) == 1
    assert "test_batch" in capsys.readouterr().err
    assert dl.main(["--archive", str(not_tar), "--no-verify", "--dest", str(dest)]) == 1
    assert "cannot unpack" in capsys.readouterr().err
    assert dl.main(["--archive", str(tmp_path / "missing.tar.gz"), "--dest", str(dest)]) == 1
    assert _leftovers(dest) == []


def test_archive_with_a_malicious_batch_is_not_installed(tmp_path, capsys):
    write_cifar(tmp_path / "src")
    marker = tmp_path / "pwned"
    (tmp_path / "src" / data.CIFAR10_FOLDER / "data_batch_2").write_bytes(
        pickle.dumps(_RunsShell(f"touch {marker}"), protocol=2)
    )
    bad = make_archive(tmp_path / "bad.tar.gz", tmp_path / "src")
    dest = tmp_path / "dest"
    assert dl.main(["--archive", str(bad), "--no-verify", "--dest", str(dest)]) == 1
    assert "refusing" in capsys.readouterr().err
    assert _leftovers(dest) == [] and not marker.exists()


# --------------------------------------------------------------------------------------
# Downloading (a file:// URL stands in for the official https one)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_download_checks_the_md5(tmp_path, archive, monkeypatch):
    monkeypatch.setattr(dl, "OFFICIAL_MD5", _md5(archive))
    dest = tmp_path / "dest"
    part = dl.download(archive.as_uri(), dest, progress=False)
    assert part.parent == dest and part.read_bytes() == archive.read_bytes()
    part.unlink()

    monkeypatch.setattr(dl, "OFFICIAL_MD5", "0" * 32)
    with pytest.raises(dl.InstallError, match="MD5"):
        dl.download(archive.as_uri(), dest, progress=False)
    assert _leftovers(dest) == []

    with pytest.raises(dl.InstallError, match="could not download"):
        dl.download((tmp_path / "nowhere.tar.gz").as_uri(), dest, progress=False)
    assert _leftovers(dest) == []


def test_main_downloads_and_installs(tmp_path, archive, monkeypatch, capsys):
    monkeypatch.setattr(dl, "OFFICIAL_URL", archive.as_uri())
    monkeypatch.setattr(dl, "OFFICIAL_MD5", _md5(archive))
    dest = tmp_path / "dest"
    assert dl.main(["--dest", str(dest)]) == 0
    assert _leftovers(dest) == [data.CIFAR10_FOLDER]
    assert data.is_cifar10_installed(dest)

    monkeypatch.setattr(dl, "OFFICIAL_MD5", "0" * 32)
    other = tmp_path / "other"
    assert dl.main(["--dest", str(other)]) == 1
    assert "MD5" in capsys.readouterr().err
    assert _leftovers(other) == []


def test_no_verify_is_only_for_local_archives(tmp_path, capsys):
    assert dl.main(["--no-verify", "--dest", str(tmp_path)]) == 1
    assert "--archive" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# The real CIFAR-10


@pytest.mark.cifar10
def test_real_cifar10():
    root = os.environ.get("CIFAR10_DIR")
    if not root or not data.is_cifar10_installed(root):
        pytest.skip("CIFAR-10 not installed: set CIFAR10_DIR (CI builds it from ../shared)")
    d = data.load_dataset("cifar10", cifar10_dir=root)
    for split, n in {"train": 49000, "val": 1000, "test": 1000}.items():
        assert d[f"X_{split}"].shape == (n, 3, 32, 32) and d[f"X_{split}"].dtype == np.float32
        assert d[f"y_{split}"].shape == (n,) and d[f"y_{split}"].dtype == np.int64
        assert set(np.unique(d[f"y_{split}"])) == set(range(10))
    assert d["image_shape"] == (3, 32, 32) and d["mean_image"].shape == (3, 32, 32)
    assert d["class_names"] == list(data.CIFAR10_CLASSES)
    assert 50 < d["mean_image"].mean() < 200  # pixel scale 0..255
    assert abs(float(d["X_train"].mean(dtype=np.float64))) < 1e-3
    assert np.abs(d["X_train"].mean(axis=0, dtype=np.float64)).max() < 1e-3
