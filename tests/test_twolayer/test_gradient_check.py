"""Tests of twolayer.gradient_check (numerical gradients and rel_error)."""

import numpy as np
import pytest

from twolayer.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)


def test_rel_error_basics():
    x = np.array([1.0, 2.0, 3.0])
    assert rel_error(x, x) == 0.0
    assert rel_error(x, x.copy()) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    # the max over elements, and the 1e-8 floor for two zeros
    assert rel_error(np.array([0.0, 1.0]), np.array([0.0, 1.1])) == pytest.approx(0.1 / 2.1)
    assert rel_error(0.0, 0.0) == 0.0
    assert isinstance(rel_error(x, x + 1e-3), float)


def test_numerical_gradient_of_sum_of_squares():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    x0 = x.copy()
    grad = eval_numerical_gradient(lambda a: np.sum(a**2), x, verbose=False)
    assert grad.shape == x.shape and grad.dtype == np.float64
    assert rel_error(grad, 2 * x0) < 1e-8
    np.testing.assert_array_equal(x, x0)  # x restored exactly


def test_numerical_gradient_verbose_prints(capsys):
    x = np.array([1.0, -2.0])
    eval_numerical_gradient(lambda a: np.sum(a**3), x, verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("(0,)")


def test_numerical_gradient_array_linear():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    df = rng.standard_normal((3, 4))
    x0 = x.copy()
    grad = eval_numerical_gradient_array(lambda a: a * 3, x, df)
    assert rel_error(grad, 3 * df) < 1e-8
    np.testing.assert_array_equal(x, x0)


def test_numerical_gradient_array_matrix_product():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3))
    w = rng.standard_normal((3, 4))
    dout = rng.standard_normal((2, 4))
    dx = eval_numerical_gradient_array(lambda a: a @ w, x, dout)
    assert rel_error(dx, dout @ w.T) < 1e-8


def test_f_returning_its_input_is_copied():
    # f returns x itself (a view modified in place afterwards): pos/neg must be copies
    x = np.array([1.0, 2.0, 3.0])
    grad = eval_numerical_gradient_array(lambda a: a, x, np.ones(3))
    np.testing.assert_allclose(grad, np.ones(3), rtol=1e-6)


def test_x_restored_when_f_raises():
    x = np.array([1.0, 2.0])
    calls = []

    def f(a):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("boom")
        return float(np.sum(a))

    with pytest.raises(RuntimeError):
        eval_numerical_gradient(f, x, verbose=False)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_float32_dtype_kept_and_integer_rejected():
    x = np.array([1.0, 2.0], dtype=np.float32)
    grad = eval_numerical_gradient(lambda a: float(np.sum(a)), x, verbose=False, h=1e-2)
    assert x.dtype == np.float32 and grad.dtype == np.float64
    with pytest.raises(TypeError, match="floating"):
        eval_numerical_gradient(lambda a: 0.0, np.array([1, 2]), verbose=False)
