"""The frames between the grader and the worker that runs student code (autograder/execution/worker.py):
values come back exactly, and the grader reads nothing but numeric arrays, whatever the other
side (student code that writes into the pipe) sends."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from autograder.execution.worker import Codec, decode, pack_arrays, read_frame, unpack_arrays, write_frame


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float64).reshape(3, 4),
        np.arange(24, dtype=np.float32).reshape(2, 3, 4)[:, ::2],  # not contiguous
        np.array(3.5),  # 0-d
        np.zeros((0, 5)),
        np.array([True, False]),
        np.arange(6, dtype=">i4"),  # big-endian
        np.array([1, 2], dtype=np.uint8),
        np.array([np.nan, np.inf, -0.0]),
    ],
)
def test_arrays_come_back_exactly(array):
    (back,) = unpack_arrays(pack_arrays({"a": array})).values()
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # a copy of its own, writable


def test_a_frame_carries_header_and_values():
    codec = Codec()
    value = (np.ones((2, 2)), {"loss": 1.25, "n": 7, "grads": [np.arange(3)]}, None, "text")
    stream = io.BytesIO()
    write_frame(stream, {"op": "reply", "value": codec.encode(value)}, codec.arrays)
    stream.seek(0)
    header, arrays = read_frame(stream)
    back = decode(header["value"], arrays, resolve=None)
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1]["loss"] == 1.25 and back[1]["n"] == 7 and back[2] is None and back[3] == "text"
    np.testing.assert_array_equal(back[1]["grads"][0], np.arange(3))


def _payload(spec: list, data: bytes) -> bytes:
    head = json.dumps(spec).encode()
    return struct.pack("<Q", len(head)) + head + data


@pytest.mark.parametrize(
    "payload",
    [
        _payload([["a", "|O", [1]]], b"\0" * 8),  # an object array: would need unpickling
        _payload([["a", "<f8,<i4", [1]]], b"\0" * 12),  # structured
        _payload([["a", "(2,)<f8", [1]]], b"\0" * 16),  # subarray
        _payload([["a", "<U3", [1]]], b"\0" * 12),  # not a number
        _payload([["a", "<f8", [4]]], b"\0" * 8),  # truncated
        _payload([["a", "<f8", [1]]], b"\0" * 16),  # trailing bytes
        _payload([["a", "<f8", [-1]]], b""),  # a negative dimension
        _payload([["a", "<f8", [1.5]]], b"\0" * 8),  # not an integer
        _payload([["a", ["<f8"], [1]]], b"\0" * 8),  # a dtype that is not a string
        b"\xff" * 20,  # junk
    ],
)
def test_anything_but_numeric_arrays_is_refused(payload):
    with pytest.raises((ValueError, TypeError, struct.error)):
        unpack_arrays(payload)
