"""mmteach._validation: each check returns a clean value or one sentence naming the argument."""

import numpy as np
import pandas as pd
import pytest

from mmteach import _validation as v


def test_check_int():
    assert v.check_int("n", np.int64(3), minimum=1) == 3 and type(v.check_int("n", np.int64(3))) is int
    for bad, error in [(True, TypeError), (1.0, TypeError), ("3", TypeError), (0, ValueError)]:
        with pytest.raises(error, match="^n must be an integer"):
            v.check_int("n", bad, minimum=1)
    with pytest.raises(ValueError, match="n must be an integer <= 5, got 6"):
        v.check_int("n", 6, maximum=5)


def test_check_number_bounds_open_and_closed():
    assert v.check_number("lr", 0.1, low=0, low_open=True) == 0.1
    with pytest.raises(ValueError, match="lr must be > 0, got 0.0"):
        v.check_number("lr", 0, low=0, low_open=True)
    with pytest.raises(ValueError, match="finite"):
        v.check_number("lr", float("nan"))
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        v.check_number("lr", "0.1")
    with pytest.raises(ValueError, match="beta must be < 1"):
        v.check_number("beta", 1.0, high=1, high_open=True)


def test_probability_flag_choice_seed():
    assert v.check_probability("p", 1) == 1.0
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\)"):
        v.check_probability("p", 1.0, allow_one=False)
    assert v.check_flag("shuffle", np.bool_(True)) is True
    with pytest.raises(TypeError, match="shuffle must be True or False, got int 1"):
        v.check_flag("shuffle", 1)
    assert v.check_choice("how", "inner", ("inner", "outer")) == "inner"
    with pytest.raises(ValueError, match=r"how must be one of \('inner', 'outer'\), got str 'left'"):
        v.check_choice("how", "left", ("inner", "outer"))
    with pytest.raises(ValueError, match="one of"):
        v.check_choice("how", ["unhashable"], ("inner",))
    for bad, error in [(-1, ValueError), (0.5, TypeError), ("1", TypeError), (None, TypeError)]:
        with pytest.raises(error, match="seed"):
            v.check_seed(bad)


def test_check_array():
    x = v.check_array("x", [[1, 2], [3, 4]], ndim=2, shape=(None, 2), dtype="float32")
    assert x.dtype == np.float32
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\), got \(2, 2\)"):
        v.check_array("x", x, shape=(None, 3))
    with pytest.raises(ValueError, match="x must have 3 or 4 axes"):
        v.check_array("x", x, ndim=(3, 4))
    with pytest.raises(TypeError, match="x must be a numeric array, got an array of shape"):
        v.check_array("x", np.array(["a", "b"]))
    with pytest.raises(TypeError, match="an integer array"):
        v.check_array("ids", np.zeros(3), kind="integer")
    bad = np.zeros((4, 2))
    bad[1, 0] = np.inf
    with pytest.raises(ValueError, match=r"x contains NaN or infinite values \(in 1 of 4 rows\)"):
        v.check_array("x", bad)
    assert v.check_array("x", bad, finite=False).shape == (4, 2)
    with pytest.raises(ValueError, match="divide by 255"):
        v.check_array("images", np.full((2, 2), 200.0), high=1)
    with pytest.raises(ValueError, match="x must have at least 1 row"):
        v.check_array("x", np.zeros((0, 3)))
    with pytest.raises(ValueError, match="rectangular"):
        v.check_array("x", [[1, 2], [3]])
    assert v.check_array("x", pd.DataFrame({"a": [1.0]})).shape == (1, 1)


def test_check_labels():
    assert v.check_labels("y", pd.DataFrame({"shape": [0, 2]})).tolist() == [0, 2]
    assert v.check_labels("y", np.array([[1], [0]])).tolist() == [1, 0]
    assert v.check_labels("y", [True, False]).tolist() == [1, 0]
    with pytest.raises(ValueError, match="one column of class codes"):
        v.check_labels("y", pd.DataFrame({"a": [0], "b": [1]}))
    with pytest.raises(ValueError, match="argmax"):
        v.check_labels("y", np.eye(3))
    with pytest.raises(ValueError, match="outside the class range 0..2"):
        v.check_labels("y", [0, 3], n_classes=3)
    with pytest.raises(ValueError, match="negative label"):
        v.check_labels("y", [0, -1])
    with pytest.raises(TypeError, match="whole-number"):
        v.check_labels("y", [0.5])
    with pytest.raises(TypeError, match="pd.Categorical"):
        v.check_labels("y", ["red"])
    with pytest.raises(ValueError, match="empty"):
        v.check_labels("y", [])


def test_strings_and_lengths_and_describe():
    assert v.check_strings("captions", pd.Series(["a", "b"])) == ["a", "b"]
    with pytest.raises(TypeError, match="wrap it in a list"):
        v.check_strings("captions", "a red square")
    with pytest.raises(TypeError, match=r"captions\[1\] must be a string, got int"):
        v.check_strings("captions", ["a", 3])
    with pytest.raises(ValueError, match=r"captions\[0\] is an empty string"):
        v.check_strings("captions", [" "], allow_empty_strings=False)
    assert v.check_same_length(a=[1, 2], b=np.zeros(2)) == 2
    with pytest.raises(ValueError, match="a has 2, b has 3"):
        v.check_same_length(a=[1, 2], b=[1, 2, 3])
    assert "shape (1000, 1000)" in v.describe(np.zeros((1000, 1000)))
    assert len(v.describe("x" * 500)) < 80
