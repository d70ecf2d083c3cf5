"""Argument checks shared by every mmteach module.

Each check returns the value in a clean form (a Python ``int``, a ``float``, a NumPy
array) or raises a :class:`TypeError` (wrong kind of thing) or :class:`ValueError`
(right kind, wrong value) whose message is one sentence that names the argument, what
was expected and what came. A student's mistake must read as a sentence before
TensorFlow ever sees it.

>>> check_int("epochs", 3, minimum=1)
3
>>> check_int("epochs", 0, minimum=1)
Traceback (most recent call last):
...
ValueError: epochs must be an integer >= 1, got 0
>>> check_probability("dropout", 1.5)
Traceback (most recent call last):
...
ValueError: dropout must be a probability in [0, 1], got 1.5
>>> check_array("images", [[0.0, 300.0]], high=1.0).shape
Traceback (most recent call last):
...
ValueError: images must hold values <= 1.0, got a maximum of 300.0 (images in 0-255? divide by 255 first)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

__all__ = [
    "check_int",
    "check_number",
    "check_probability",
    "check_flag",
    "check_choice",
    "check_seed",
    "check_array",
    "check_labels",
    "check_strings",
    "check_same_length",
    "describe",
]


def describe(value) -> str:
    """A short description of ``value`` for an error message (never a whole array)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return f"a {type(value).__name__} of shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an ``int`` (bools refused), within ``[minimum, maximum]`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def check_number(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` within the given bounds (open or closed)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def check_probability(name: str, value, *, allow_one: bool = True) -> float:
    """``value`` as a float in ``[0, 1]`` (or ``[0, 1)`` with ``allow_one=False``)."""
    interval = "[0, 1]" if allow_one else "[0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a probability in {interval}, got {describe(value)}")
    value = float(value)
    if not (0.0 <= value <= 1.0) or (not allow_one and value == 1.0):
        raise ValueError(f"{name} must be a probability in {interval}, got {value}")
    return value


def check_flag(name: str, value) -> bool:
    """``value`` as a ``bool``; 0/1 and strings are refused (``"False"`` is truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_choice(name: str, value, choices):
    """``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {choices}, got {describe(value)}")
    return value


def check_seed(value, name: str = "seed") -> int:
    """A seed: a non-negative integer (NumPy's and TensorFlow's generators need one)."""
    return check_int(name, value, minimum=0)


_KINDS = {
    "numeric": (np.number, "a numeric"),
    "float": (np.floating, "a floating-point"),
    "integer": (np.integer, "an integer"),
}


def check_array(
    name: str,
    value,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple | None = None,
    kind: str = "numeric",
    finite: bool = True,
    low: float | None = None,
    high: float | None = None,
    min_len: int = 1,
    dtype=None,
) -> np.ndarray:
    """``value`` as a NumPy array, checked.

    ``ndim`` is a number of axes or a tuple of allowed numbers; ``shape`` a tuple in which
    ``None`` matches any length (the batch axis, say); ``kind`` is ``"numeric"``, ``"float"``
    or ``"integer"`` (booleans count as integers); ``finite`` refuses NaN and infinity;
    ``low``/``high`` bound the values (a maximum above 1 when ``high=1`` suggests 0-255
    pixels); ``min_len`` is the least number of rows; ``dtype`` converts the result.
    """
    if isinstance(value, (pd.DataFrame, pd.Series)):
        value = value.to_numpy()
    try:
        x = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array, got ragged {type(value).__name__}") from None
    want, words = _KINDS[kind]
    if x.dtype == bool and kind in ("numeric", "integer"):
        x = x.astype(np.int64)
    if not np.issubdtype(x.dtype, want):
        raise TypeError(f"{name} must be {words} array, got {describe(x)}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            expected = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {expected} axes, got shape {x.shape}")
    if shape is not None:
        if x.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape, x.shape)):
            pretty = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {pretty}, got {x.shape}")
    if x.ndim >= 1 and len(x) < min_len:
        raise ValueError(f"{name} must have at least {min_len} row(s), got shape {x.shape}")
    if x.size and np.issubdtype(x.dtype, np.floating):
        bad = ~np.isfinite(x)
        if finite and bad.any():
            rows = int(bad.reshape(len(x), -1).any(axis=1).sum()) if x.ndim else 1
            raise ValueError(
                f"{name} contains NaN or infinite values (in {rows} of {len(x) if x.ndim else 1} "
                "rows): drop or repair them first"
            )
    if x.size and low is not None and np.nanmin(x) < low:
        raise ValueError(f"{name} must hold values >= {low}, got a minimum of {np.nanmin(x)}")
    if x.size and high is not None and np.nanmax(x) > high:
        hint = " (images in 0-255? divide by 255 first)" if high == 1 and np.nanmax(x) > 1.5 else ""
        raise ValueError(f"{name} must hold values <= {high}, got a maximum of {np.nanmax(x)}{hint}")
    return x.astype(dtype) if dtype is not None else x


def check_labels(name: str, value, *, n_classes: int | None = None) -> np.ndarray:
    """Integer class codes ``0 .. n_classes-1`` as a 1-D ``int64`` array."""
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise ValueError(
                f"{name} must be one column of class codes, got a DataFrame with "
                f"{value.shape[1]} columns {list(value.columns)[:5]}: pick one column"
            )
        value = value.iloc[:, 0]
    y = np.asarray(value)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise TypeError(
            f"{name} must hold integer class codes (0, 1, 2, ...), got {describe(y)}; "
            "map names to codes first, e.g. with pd.Categorical(values).codes"
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D class codes, got shape {y.shape}; one-hot or probability rows "
            f"can be turned into codes with {name}.argmax(axis=1)"
        )
    if y.size == 0:
        raise ValueError(f"{name} is empty: at least one label is needed")
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name} contains NaN or infinite values")
        if not np.all(y == np.round(y)):
            raise TypeError(f"{name} must hold whole-number class codes, got {y[y != np.round(y)][0]!r}")
    y = y.astype(np.int64)
    if y.min() < 0:
        raise ValueError(f"{name} has a negative label {y.min()}: class codes start at 0")
    if n_classes is not None and y.max() >= n_classes:
        raise ValueError(
            f"{name} has label {y.max()}, outside the class range 0..{n_classes - 1} "
            f"(n_classes={n_classes})"
        )
    return y


def check_strings(name: str, value, *, allow_empty_strings: bool = True, min_len: int = 1) -> list[str]:
    """A list of strings from a list, tuple, array or Series of strings (one str is refused)."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be a list of strings, got one string {value[:40]!r}: wrap it in a list")
    if isinstance(value, pd.Series):
        value = value.tolist()
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list of strings, got {describe(value)}") from None
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a string, got {describe(item)}")
        if not allow_empty_strings and not item.strip():
            raise ValueError(f"{name}[{i}] is an empty string")
    if len(items) < min_len:
        raise ValueError(f"{name} must hold at least {min_len} string(s), got {len(items)}")
    return items


def check_same_length(**arrays) -> int:
    """The common length of the keyword arguments, or a ValueError naming each length."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same number of rows: {listed}")
    return next(iter(lengths.values()), 0)
