"""Metrics: how good is a model, and how sure are we?

Introduced in Chapter 5 (``notebooks/05_evaluation.ipynb``); the retrieval metrics
return in Chapter 8 and BLEU in Chapter 6.

Every metric is written plainly in numpy so that a reader can follow it line by line;
the unit tests check each one against scikit-learn (classification and regression)
or against worked examples with hand-computed values (retrieval, BLEU). Conventions:

- class labels are integer codes ``0 .. n_classes - 1`` (``scenes.labels`` holds them);
  a 2-D array of probabilities is refused with a hint to take ``argmax``;
- the confusion matrix has true classes in rows and predicted classes in columns, as
  in scikit-learn;
- a similarity matrix has one row per query and one column per candidate, higher is
  more similar;
- wrong input (mismatched lengths, empty arrays, labels outside the class range, a
  ``k`` larger than the candidate set, NaN or infinite values) raises a ValueError or
  TypeError that names the argument.

Example
-------
>>> from mmteach import metrics
>>> y_true = [0, 0, 0, 0, 1, 1, 2, 2]
>>> y_pred = [0, 0, 0, 0, 1, 0, 2, 2]
>>> metrics.accuracy(y_true, y_pred)
0.875
>>> round(metrics.f1_score(y_true, y_pred, average="macro"), 4)
0.8519
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from mmteach._validation import check_choice, check_int, check_number, check_seed

__all__ = [
    "accuracy",
    "confusion_matrix",
    "PRF",
    "precision_recall_f1",
    "precision_score",
    "recall_score",
    "f1_score",
    "classification_table",
    "mean_squared_error",
    "mean_absolute_error",
    "psnr",
    "retrieval_ranks",
    "recall_at_k",
    "median_rank",
    "retrieval_report",
    "positives_from_labels",
    "modified_precision",
    "brevity_penalty",
    "sentence_bleu",
    "corpus_bleu",
    "Interval",
    "bootstrap_ci",
    "PairedComparison",
    "paired_comparison",
    "mcnemar_test",
    "modality_ablation",
]

AVERAGES = (None, "macro", "micro", "weighted", "binary")


# --- input checks ----------------------------------------------------------------


def _class_labels(name, y):
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise TypeError(
            f"{name} must hold integer class codes (0, 1, 2, ...), got dtype {y.dtype}; "
            "map names to codes first, e.g. with pd.Categorical(values).codes"
        )
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError(
            f"{name} must be 1-D class codes, got shape {y.shape}: if these are "
            f"probabilities or scores per class, take {name}.argmax(axis=1) first"
        )
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D class codes, got shape {y.shape}")
    if y.size == 0:
        raise ValueError(f"{name} is empty: a metric needs at least one example")
    if y.dtype == bool:
        return y.astype(int)
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name} contains NaN or infinite values")
        if not np.all(y == np.round(y)):
            raise TypeError(
                f"{name} must hold integer class codes, got non-integer values such as "
                f"{y[y != np.round(y)][0]!r}: threshold or argmax the model's scores first"
            )
    y = y.astype(int)
    if y.min() < 0:
        raise ValueError(f"{name} has a negative label {y.min()}: class codes start at 0")
    return y


def _check_pair(y_true, y_pred, n_classes=None):
    """Validated integer labels and the number of classes K."""
    y_true = _class_labels("y_true", y_true)
    y_pred = _class_labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    top = int(max(y_true.max(), y_pred.max()))
    if n_classes is None:
        return y_true, y_pred, top + 1
    n_classes = check_int("n_classes", n_classes, minimum=1)
    if top >= n_classes:
        which = "y_true" if y_true.max() >= n_classes else "y_pred"
        raise ValueError(
            f"{which} has label {top}, outside the class range 0..{n_classes - 1} "
            f"(n_classes={n_classes})"
        )
    return y_true, y_pred, int(n_classes)


def _continuous(name, x):
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {x.dtype}")
    x = x.astype(np.float64)
    if x.size == 0:
        raise ValueError(f"{name} is empty: a metric needs at least one value")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_continuous_pair(y_true, y_pred):
    y_true = _continuous("y_true", y_true)
    y_pred = _continuous("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}"
        )
    return y_true, y_pred


def _divide(num, den, zero_division):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, float(zero_division))
    np.divide(num, den, out=out, where=den != 0)
    return out


# --- classification -----------------------------------------------------------------


def accuracy(y_true, y_pred) -> float:
    """The fraction of examples whose predicted class equals the true class.

    Introduced in Chapter 5.

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, *, n_classes: int | None = None) -> np.ndarray:
    """Count matrix ``C`` with ``C[i, j]`` = examples of true class ``i`` predicted as ``j``.

    Rows are true classes, columns predicted classes (scikit-learn's convention).
    ``n_classes`` defaults to the largest label seen plus one; pass it so that a class
    missing from a small sample still gets its row and column.

    Introduced in Chapter 5.

    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1])
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 1, 0]])
    """
    y_true, y_pred, k = _check_pair(y_true, y_pred, n_classes)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


class PRF(NamedTuple):
    """Precision, recall and F1 (floats, or arrays with one value per class)."""

    precision: float | np.ndarray
    recall: float | np.ndarray
    f1: float | np.ndarray


def precision_recall_f1(
    y_true, y_pred, *, average: str | None = "macro", n_classes: int | None = None,
    zero_division: float = 0.0,
) -> PRF:
    """Precision, recall and F1 from the confusion matrix.

    For class ``c``: precision = TP / (TP + FP) (of the examples *predicted* ``c``, how
    many are ``c``), recall = TP / (TP + FN) (of the examples that *are* ``c``, how many
    were found), F1 = 2 TP / (2 TP + FP + FN), their harmonic mean. ``average``:

    - ``None``: one value per class (arrays of length ``n_classes``);
    - ``"macro"``: the plain mean over classes -- every class counts the same, so a
      rare class that the model ignores pulls it down;
    - ``"weighted"``: the mean weighted by each class's support (true count);
    - ``"micro"``: pool TP, FP and FN over classes first; with one label per example
      this equals accuracy;
    - ``"binary"``: the values of class 1 (two classes only).

    A ratio with a zero denominator (a class never predicted, say) is ``zero_division``.
    These match scikit-learn's ``precision_recall_fscore_support`` with
    ``labels=range(n_classes)``.

    Introduced in Chapter 5.

    >>> p, r, f = precision_recall_f1([0, 0, 0, 1], [0, 0, 1, 1], average=None)
    >>> p.tolist(), r.tolist()
    ([1.0, 0.5], [0.6666666666666666, 1.0])
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    if average == "binary":
        _, _, k = _check_pair(y_true, y_pred, n_classes)
        if k > 2:
            raise ValueError(
                f"average='binary' needs two classes (0 and 1), got {k}: use 'macro', "
                "'micro' or 'weighted'"
            )
        n_classes = 2
    cm = confusion_matrix(y_true, y_pred, n_classes=n_classes)
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0)
    actual = cm.sum(axis=1)
    precision = _divide(tp, predicted, zero_division)
    recall = _divide(tp, actual, zero_division)
    f1 = _divide(2 * tp, predicted + actual, zero_division)
    if average is None:
        return PRF(precision, recall, f1)
    if average == "binary":
        return PRF(float(precision[1]), float(recall[1]), float(f1[1]))
    if average == "macro":
        return PRF(float(precision.mean()), float(recall.mean()), float(f1.mean()))
    if average == "weighted":
        w = actual / actual.sum()
        return PRF(float(w @ precision), float(w @ recall), float(w @ f1))
    # micro: pool the counts of all classes
    total_tp = tp.sum()
    p = float(_divide(total_tp, predicted.sum(), zero_division))
    r = float(_divide(total_tp, actual.sum(), zero_division))
    f = float(_divide(2 * total_tp, predicted.sum() + actual.sum(), zero_division))
    return PRF(p, r, f)


def precision_score(y_true, y_pred, *, average="macro", n_classes=None, zero_division=0.0):
    """Precision alone; see :func:`precision_recall_f1`. Introduced in Chapter 5.

    >>> precision_score([0, 0, 1, 1], [0, 1, 1, 1], average="binary")
    0.6666666666666666
    """
    return precision_recall_f1(
        y_true, y_pred, average=average, n_classes=n_classes, zero_division=zero_division
    ).precision


def recall_score(y_true, y_pred, *, average="macro", n_classes=None, zero_division=0.0):
    """Recall alone; see :func:`precision_recall_f1`. Introduced in Chapter 5.

    >>> recall_score([0, 0, 1, 1], [0, 1, 1, 1], average="binary")
    1.0
    """
    return precision_recall_f1(
        y_true, y_pred, average=average, n_classes=n_classes, zero_division=zero_division
    ).recall


def f1_score(y_true, y_pred, *, average="macro", n_classes=None, zero_division=0.0):
    """F1 alone; see :func:`precision_recall_f1`. Introduced in Chapter 5.

    >>> f1_score([0, 0, 1, 1], [0, 1, 1, 1], average="binary")
    0.8
    """
    return precision_recall_f1(
        y_true, y_pred, average=average, n_classes=n_classes, zero_division=zero_division
    ).f1


def classification_table(y_true, y_pred, *, class_names=None, n_classes=None) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support, then the macro and weighted means.

    ``class_names`` (a sequence, e.g. ``datasets.ATTRIBUTES["shape"]``) names the rows
    and fixes the number of classes. Introduced in Chapter 5.

    >>> classification_table([0, 0, 1, 1], [0, 1, 1, 1], class_names=["no", "yes"])
    ... # doctest: +NORMALIZE_WHITESPACE
                  precision  recall     f1  support
    no                1.000    0.50  0.667        2
    yes               0.667    1.00  0.800        2
    macro avg         0.833    0.75  0.733        4
    weighted avg      0.833    0.75  0.733        4
    """
    if class_names is not None:
        if isinstance(class_names, str):
            raise TypeError("class_names must be a sequence of names, got a single string")
        class_names = [str(c) for c in class_names]
        if n_classes is not None and n_classes != len(class_names):
            raise ValueError(
                f"n_classes={n_classes} does not match {len(class_names)} class_names"
            )
        n_classes = len(class_names)
    p, r, f = precision_recall_f1(y_true, y_pred, average=None, n_classes=n_classes)
    support = confusion_matrix(y_true, y_pred, n_classes=len(p)).sum(axis=1)
    names = class_names if class_names is not None else [str(k) for k in range(len(p))]
    table = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": support}, index=names)
    for avg in ("macro", "weighted"):
        m = precision_recall_f1(y_true, y_pred, average=avg, n_classes=len(p))
        table.loc[f"{avg} avg"] = [m.precision, m.recall, m.f1, support.sum()]
    table["support"] = table["support"].astype(int)
    return table.round(3)


# --- regression and images ---------------------------------------------------------


def _per_sample_mean(values, per_sample):
    if not per_sample:
        return float(values.mean())
    if values.ndim == 0:
        raise ValueError("per_sample=True needs arrays with a sample axis first")
    return values.reshape(len(values), -1).mean(axis=1)


def mean_squared_error(y_true, y_pred, *, per_sample: bool = False):
    """Mean of the squared differences, over every value (or per sample along axis 0).

    Works for any shape, e.g. a batch of images ``(n, 32, 32, 3)``: with
    ``per_sample=True`` it returns one value per image. Introduced in Chapter 5.

    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    y_true, y_pred = _check_continuous_pair(y_true, y_pred)
    return _per_sample_mean((y_true - y_pred) ** 2, per_sample)


def mean_absolute_error(y_true, y_pred, *, per_sample: bool = False):
    """Mean of the absolute differences (or per sample along axis 0). Introduced in Chapter 5.

    >>> mean_absolute_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    0.6666666666666666
    """
    y_true, y_pred = _check_continuous_pair(y_true, y_pred)
    return _per_sample_mean(np.abs(y_true - y_pred), per_sample)


def psnr(y_true, y_pred, *, data_range: float = 1.0, per_sample: bool = False):
    """Peak signal-to-noise ratio in decibels: ``10 log10(data_range**2 / MSE)``.

    Higher is better; identical arrays give ``inf``. ``data_range`` is the span of
    possible values (1.0 for images in [0, 1], 255 for 8-bit images). With
    ``per_sample=True`` it is computed per image (along axis 0), else from the MSE
    of all values. Introduced in Chapter 5.

    >>> round(psnr([0.0, 0.5, 1.0], [0.1, 0.5, 1.0]), 2)
    24.77
    """
    data_range = check_number("data_range", data_range, low=0.0, low_open=True)
    _check_units(y_true, y_pred, data_range)
    mse = mean_squared_error(y_true, y_pred, per_sample=per_sample)
    with np.errstate(divide="ignore"):
        out = 10.0 * np.log10(data_range**2 / np.asarray(mse, dtype=float))
    return float(out) if np.ndim(out) == 0 else out


def _check_units(y_true, y_pred, data_range):
    """Refuse the usual units mistakes: 8-bit against float images, values beyond the range."""
    kinds = {np.asarray(a).dtype.kind for a in (y_true, y_pred)}
    if "u" in kinds and "f" in kinds:
        raise ValueError(
            "y_true and y_pred mix 8-bit integers and floats: convert both to the same units "
            "first (e.g. images.astype('float32') / 255)"
        )
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        top = float(np.max(np.abs(np.asarray(a, dtype=float)))) if np.size(a) else 0.0
        if top > 1.5 * data_range:
            raise ValueError(
                f"{name} has values up to {top:g}, beyond data_range={data_range:g}: for 0-255 "
                "images pass data_range=255, or divide the images by 255"
            )


# --- retrieval -----------------------------------------------------------------------


def _similarity(similarity):
    s = np.asarray(similarity)
    if s.dtype == object or not np.issubdtype(s.dtype, np.number):
        raise TypeError(f"similarity must be a numeric matrix, got dtype {s.dtype}")
    if s.ndim != 2:
        raise ValueError(
            f"similarity must be 2-D (queries x candidates), got shape {s.shape}"
        )
    if s.size == 0:
        raise ValueError(f"similarity is empty, got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("similarity contains NaN or infinite values")
    return s.astype(np.float64)


def _positive_mask(positives, shape):
    n_q, n_c = shape
    if positives is None:
        if n_q != n_c:
            raise ValueError(
                "with positives=None the positive of query i is candidate i, so similarity "
                f"must be square; got shape {shape}: pass positives"
            )
        return np.eye(n_q, dtype=bool)
    p = np.asarray(positives)
    if p.ndim == 1:
        if not np.issubdtype(p.dtype, np.integer):
            raise TypeError(
                "a 1-D positives must hold the integer index of each query's positive "
                f"candidate, got dtype {p.dtype}"
            )
        if len(p) != n_q:
            raise ValueError(
                f"positives has {len(p)} entries but similarity has {n_q} queries (rows)"
            )
        if p.min() < 0 or p.max() >= n_c:
            raise ValueError(
                f"positives holds candidate indices outside 0..{n_c - 1}: "
                f"min {p.min()}, max {p.max()}"
            )
        mask = np.zeros(shape, dtype=bool)
        mask[np.arange(n_q), p] = True
        return mask
    if p.ndim == 2:
        if p.dtype != bool:
            raise TypeError(f"a 2-D positives must be a boolean mask, got dtype {p.dtype}")
        if p.shape != shape:
            raise ValueError(
                f"positives has shape {p.shape} but similarity has shape {shape}"
            )
        empty = np.flatnonzero(~p.any(axis=1))
        if empty.size:
            raise ValueError(
                f"every query needs at least one positive; query {empty[0]} has none"
            )
        return p
    raise ValueError(f"positives must be None, 1-D indices or a 2-D mask, got shape {p.shape}")


def retrieval_ranks(similarity, positives=None) -> np.ndarray:
    """The rank (1 = top) of the best-ranked positive candidate for each query.

    ``similarity[i, j]`` scores query ``i`` against candidate ``j``. ``positives`` says
    which candidates count as a hit:

    - ``None``: exactly one, candidate ``i`` for query ``i`` (paired data, square matrix);
    - a 1-D array of integers: the index of each query's one positive;
    - a 2-D boolean mask: any of several equivalent positives (e.g. every caption that
      says the same thing) counts; see :func:`positives_from_labels`.

    The rank is 1 + the number of *negative* candidates scoring at least as high as the
    best positive: ties count against the model, so a model that scores everything
    equally does not get a perfect score. Introduced in Chapter 5.

    >>> s = [[0.9, 0.2, 0.4],
    ...      [0.8, 0.5, 0.1],
    ...      [0.3, 0.2, 0.7]]
    >>> retrieval_ranks(s).tolist()
    [1, 2, 1]
    """
    s = _similarity(similarity)
    mask = _positive_mask(positives, s.shape)
    best_positive = np.where(mask, s, -np.inf).max(axis=1)
    beaten_by = (~mask) & (s >= best_positive[:, None])
    return 1 + beaten_by.sum(axis=1)


def _check_k(k, n_candidates):
    k = check_int("k", k, minimum=1)
    if k > n_candidates:
        raise ValueError(
            f"k={k} is larger than the candidate set ({n_candidates} candidates): "
            "recall@k would be 1 by construction"
        )
    return int(k)


def recall_at_k(similarity, k: int, positives=None) -> float:
    """The fraction of queries with a positive among their top ``k`` candidates.

    Rows are queries; for the other direction pass ``similarity.T`` (and the transposed
    mask). See :func:`retrieval_ranks` for ``positives``. Introduced in Chapter 5.

    >>> s = [[0.9, 0.2, 0.4], [0.8, 0.5, 0.1], [0.3, 0.2, 0.7]]
    >>> recall_at_k(s, 1), recall_at_k(s, 2)
    (0.6666666666666666, 1.0)
    """
    s = _similarity(similarity)
    k = _check_k(k, s.shape[1])
    return float(np.mean(retrieval_ranks(s, positives) <= k))


def median_rank(similarity, positives=None) -> float:
    """The median over queries of the rank of the best positive (1 is perfect).

    Introduced in Chapter 5.

    >>> median_rank([[0.9, 0.2, 0.4], [0.8, 0.5, 0.1], [0.3, 0.2, 0.7]])
    1.0
    """
    return float(np.median(retrieval_ranks(similarity, positives)))


def positives_from_labels(query_labels, candidate_labels) -> np.ndarray:
    """A boolean mask: candidate ``j`` is a positive for query ``i`` when their labels match.

    Use it for the "any of several equivalent positives" convention, e.g. labels that
    say what a caption describes. Introduced in Chapter 5.

    >>> positives_from_labels(["red", "blue"], ["blue", "red", "red"]).astype(int)
    array([[0, 1, 1],
           [1, 0, 0]])
    """
    q = np.asarray(query_labels)
    c = np.asarray(candidate_labels)
    for name, x in (("query_labels", q), ("candidate_labels", c)):
        if x.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
        if x.size == 0:
            raise ValueError(f"{name} is empty")
    return q[:, None] == c[None, :]


def retrieval_report(similarity, *, ks=(1, 5, 10), positives=None, names=("image", "text")):
    """Recall@k and median rank in both directions, as a small DataFrame.

    Rows of ``similarity`` are items of ``names[0]`` (e.g. images), columns items of
    ``names[1]`` (e.g. captions). The first row of the result retrieves columns for each
    row item (image→text), the second the other way (text→image). Introduced in
    Chapter 5.

    >>> s = [[0.9, 0.2, 0.4], [0.8, 0.5, 0.1], [0.3, 0.2, 0.7]]
    >>> retrieval_report(s, ks=(1, 2))  # doctest: +NORMALIZE_WHITESPACE
                  R@1  R@2  median rank
    image→text  0.667  1.0          1.0
    text→image  1.000  1.0          1.0
    """
    s = _similarity(similarity)
    if isinstance(ks, numbers.Integral):
        ks = (ks,)
    ks = tuple(ks)
    if not ks:
        raise ValueError("ks must name at least one k")
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must be two strings (rows, columns), got {names!r}")
    for k in ks:
        _check_k(k, min(s.shape))
    mask = _positive_mask(positives, s.shape)
    rows = {}
    for label, sim, m in (
        (f"{names[0]}→{names[1]}", s, mask),
        (f"{names[1]}→{names[0]}", s.T, mask.T),
    ):
        if not m.any(axis=1).all():
            raise ValueError(
                f"for {label} every query needs at least one positive; query "
                f"{np.flatnonzero(~m.any(axis=1))[0]} has none"
            )
        ranks = retrieval_ranks(sim, m)
        rows[label] = {f"R@{k}": float(np.mean(ranks <= k)) for k in ks}
        rows[label]["median rank"] = float(np.median(ranks))
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


# --- BLEU -----------------------------------------------------------------------------


def _tokens(name, sentence):
    if isinstance(sentence, str):
        return sentence.split()
    if isinstance(sentence, (list, tuple)) and all(isinstance(t, str) for t in sentence):
        return list(sentence)
    raise TypeError(
        f"{name} must be a string or a list of token strings, got {type(sentence).__name__} "
        f"{sentence!r}"
    )


def _references(name, references):
    if isinstance(references, str):
        raise TypeError(
            f"{name} must be a list of reference sentences (e.g. ['a red circle']), got a "
            "single string: wrap it in a list"
        )
    if not isinstance(references, (list, tuple)) or not references:
        raise ValueError(f"{name} must be a non-empty list of reference sentences")
    return [_tokens(f"{name}[{i}]", r) for i, r in enumerate(references)]


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(references, hypothesis, n: int) -> tuple[int, int]:
    """BLEU's clipped n-gram counts: ``(matches, total)`` for one hypothesis.

    Each n-gram of the hypothesis counts as a match at most as many times as it occurs
    in the single reference that has it most often (clipping), so repeating a correct
    word does not pay. Precision is ``matches / total``. Introduced in Chapter 5.

    >>> modified_precision(["the cat is on the mat", "there is a cat on the mat"],
    ...                    "the the the the the the the", 1)
    (2, 7)
    """
    n = check_int("n", n, minimum=1)
    refs = _references("references", references)
    hyp = _tokens("hypothesis", hypothesis)
    counts = _ngrams(hyp, n)
    max_ref = Counter()
    for ref in refs:
        max_ref |= _ngrams(ref, n)  # | keeps the maximum count of each n-gram
    matches = sum(min(c, max_ref[g]) for g, c in counts.items())
    return int(matches), int(sum(counts.values()))


def brevity_penalty(hypothesis_length: int, reference_length: int) -> float:
    """BLEU's penalty for short output: 1 if ``c > r`` else ``exp(1 - r / c)`` (0 if c = 0).

    Introduced in Chapter 5.

    >>> brevity_penalty(10, 8), round(brevity_penalty(2, 6), 4)
    (1.0, 0.1353)
    """
    c, r = hypothesis_length, reference_length
    c = check_int("hypothesis_length", c, minimum=0)
    r = check_int("reference_length", r, minimum=0)
    if c > r:
        return 1.0
    if c == 0:
        return 0.0
    return float(math.exp(1 - r / c))


def _closest_length(refs, c):
    # the reference length closest to the hypothesis length; on a tie the shorter one
    return min((abs(len(r) - c), len(r)) for r in refs)[1]


SMOOTHING = (None, "epsilon", "add-one")


def _bleu_from_counts(matches, totals, c, r, max_n, smoothing, epsilon):
    log_p = 0.0
    for n in range(1, max_n + 1):
        m, t = matches[n - 1], totals[n - 1]
        if smoothing == "add-one" and n > 1:
            m, t = m + 1, t + 1
        elif smoothing == "epsilon" and m == 0:
            m, t = epsilon, max(t, 1)
        if m == 0:
            return 0.0  # a zero precision makes the geometric mean zero
        log_p += math.log(m / t) / max_n
    return brevity_penalty(c, r) * math.exp(log_p)


def _check_bleu_options(max_n, smoothing, epsilon):
    check_int("max_n", max_n, minimum=1)
    check_choice("smoothing", smoothing, SMOOTHING)
    check_number("epsilon", epsilon, low=0.0, low_open=True, high=1.0)


def corpus_bleu(
    list_of_references, hypotheses, *, max_n: int = 4, smoothing: str | None = None,
    epsilon: float = 0.1,
) -> float:
    """Corpus-level BLEU (Papineni et al., 2002), between 0 and 1.

    ``hypotheses`` is a list of generated sentences; ``list_of_references[i]`` is the
    list of reference sentences for hypothesis ``i`` (strings, split on spaces, or token
    lists). Clipped n-gram matches and totals are summed over the whole corpus for
    ``n = 1 .. max_n``, their precisions combined by a geometric mean with equal weights,
    and multiplied by the brevity penalty of the total hypothesis length against the
    total of the closest reference lengths. This is *not* the mean of sentence BLEUs.

    ``smoothing`` keeps short sentences from scoring 0 when some n-gram order has no
    match: ``"epsilon"`` replaces a zero match count by ``epsilon`` (Chen and Cherry's
    method 1), ``"add-one"`` adds 1 to the matches and totals of every order n >= 2
    (Lin and Och, 2004). Introduced in Chapter 5; used in Chapter 6.

    >>> corpus_bleu([["the cat is on the mat"]], ["the cat sat on the mat"], max_n=2)
    0.7071067811865476
    """
    _check_bleu_options(max_n, smoothing, epsilon)
    if isinstance(hypotheses, str):
        raise TypeError("hypotheses must be a list of sentences, got a single string")
    if isinstance(list_of_references, str):
        raise TypeError("list_of_references must be a list of lists of references, got a string")
    hypotheses = list(hypotheses)
    list_of_references = list(list_of_references)
    if not hypotheses:
        raise ValueError("hypotheses is empty: BLEU needs at least one sentence")
    if len(list_of_references) != len(hypotheses):
        raise ValueError(
            f"list_of_references has {len(list_of_references)} entries but hypotheses has "
            f"{len(hypotheses)}: give one list of references per hypothesis"
        )
    matches = [0] * max_n
    totals = [0] * max_n
    c = r = 0
    for i, (refs, hyp) in enumerate(zip(list_of_references, hypotheses)):
        refs = _references(f"list_of_references[{i}]", refs)
        hyp = _tokens(f"hypotheses[{i}]", hyp)
        for n in range(1, max_n + 1):
            m, t = modified_precision(refs, hyp, n)
            matches[n - 1] += m
            totals[n - 1] += t
        c += len(hyp)
        r += _closest_length(refs, len(hyp))
    return _bleu_from_counts(matches, totals, c, r, max_n, smoothing, epsilon)


def sentence_bleu(
    references, hypothesis, *, max_n: int = 4, smoothing: str | None = None,
    epsilon: float = 0.1,
) -> float:
    """BLEU of one hypothesis against its references (a corpus of one sentence).

    Without ``smoothing`` a short sentence with no matching 4-gram scores 0; see
    :func:`corpus_bleu` for the options. Introduced in Chapter 5.

    >>> sentence_bleu(["the cat is on the mat"], "the cat sat on the mat")
    0.0
    >>> round(sentence_bleu(["the cat is on the mat"], "the cat sat on the mat",
    ...                     smoothing="epsilon"), 4)
    0.2541
    """
    references = _references("references", references)
    hypothesis = _tokens("hypothesis", hypothesis)
    return corpus_bleu([references], [hypothesis], max_n=max_n, smoothing=smoothing,
                       epsilon=epsilon)


# --- uncertainty -------------------------------------------------------------------


def _check_metric(metric):
    if not callable(metric):
        raise TypeError(
            f"metric must be a function metric(y_true, y_pred) -> float, got "
            f"{type(metric).__name__}"
        )


def _check_resampling(n_resamples, level):
    check_int("n_resamples", n_resamples, minimum=10)
    try:
        check_number("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    except ValueError:
        raise ValueError(f"level must be a probability in (0, 1), e.g. 0.95; got {level!r}") from None


def _same_length(**arrays):
    lengths = {name: len(np.asarray(a)) if np.ndim(a) else None for name, a in arrays.items()}
    for name, n in lengths.items():
        if n is None:
            raise ValueError(f"{name} must be an array of examples, got a scalar")
        if n == 0:
            raise ValueError(f"{name} is empty: a metric needs at least one example")
    if len(set(lengths.values())) > 1:
        raise ValueError(f"arrays must have the same length, got {lengths}")
    return next(iter(lengths.values()))


@dataclass(frozen=True)
class Interval:
    """A metric's value on the whole set and its bootstrap confidence interval."""

    estimate: float
    low: float
    high: float
    level: float
    samples: np.ndarray = field(repr=False)

    def __str__(self) -> str:
        return (f"{self.estimate:.4f} ({self.level:.0%} interval {self.low:.4f} to "
                f"{self.high:.4f})")


def bootstrap_ci(
    metric: Callable, y_true, y_pred, *, n_resamples: int = 1000, level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap confidence interval for any ``metric(y_true, y_pred)``.

    The test set is resampled with replacement ``n_resamples`` times (whole examples:
    rows along axis 0); the metric on each resample shows how much the score would move
    on another test set of the same size from the same source. The interval is the
    middle ``level`` of those values. For metrics that infer the number of classes, fix
    it (``lambda t, p: f1_score(t, p, n_classes=4)``) so a resample that misses a rare
    class is still scored on all classes. Introduced in Chapter 5.

    >>> y = [1] * 80 + [0] * 20
    >>> ci = bootstrap_ci(accuracy, y, [1] * 100, seed=0)
    >>> ci.estimate, round(ci.low, 2), round(ci.high, 2)
    (0.8, 0.72, 0.88)
    """
    _check_metric(metric)
    _check_resampling(n_resamples, level)
    n = _same_length(y_true=y_true, y_pred=y_pred)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(check_seed(seed))
    samples = np.empty(n_resamples)
    for b in range(n_resamples):
        idx = rng.integers(0, n, n)
        samples[b] = metric(y_true[idx], y_pred[idx])
    alpha = (1 - level) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return Interval(float(metric(y_true, y_pred)), float(low), float(high), float(level), samples)


@dataclass(frozen=True)
class PairedComparison:
    """Model A minus model B on the same examples, with a paired bootstrap interval."""

    score_a: float
    score_b: float
    difference: float
    low: float
    high: float
    p_value: float
    level: float
    samples: np.ndarray = field(repr=False)

    def __str__(self) -> str:
        return (f"A - B = {self.difference:+.4f} ({self.level:.0%} interval {self.low:+.4f} "
                f"to {self.high:+.4f}, p = {self.p_value:.3f})")


def paired_comparison(
    metric: Callable, y_true, pred_a, pred_b, *, n_resamples: int = 1000, level: float = 0.95,
    seed: int = 0,
) -> PairedComparison:
    """Is model A really better than model B on this test set? A paired bootstrap.

    Both models are scored on the *same* resampled examples each time, so the
    difference keeps out the luck of which examples were drawn (that luck is shared).
    ``p_value`` is a two-sided bootstrap estimate: twice the smaller fraction of
    resamples on either side of zero (capped at 1). If the interval contains 0, the
    test set cannot tell the models apart. Introduced in Chapter 5.

    >>> y = [0, 1] * 50
    >>> a = y[:90] + [1 - v for v in y[90:]]      # 90 right
    >>> b = y[:60] + [1 - v for v in y[60:]]      # 60 right
    >>> cmp = paired_comparison(accuracy, y, a, b)
    >>> round(cmp.difference, 2), cmp.low > 0
    (0.3, True)
    """
    _check_metric(metric)
    _check_resampling(n_resamples, level)
    n = _same_length(y_true=y_true, pred_a=pred_a, pred_b=pred_b)
    y_true, pred_a, pred_b = np.asarray(y_true), np.asarray(pred_a), np.asarray(pred_b)
    rng = np.random.default_rng(check_seed(seed))
    diffs = np.empty(n_resamples)
    for b in range(n_resamples):
        idx = rng.integers(0, n, n)
        diffs[b] = metric(y_true[idx], pred_a[idx]) - metric(y_true[idx], pred_b[idx])
    alpha = (1 - level) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    score_a, score_b = float(metric(y_true, pred_a)), float(metric(y_true, pred_b))
    p = min(1.0, 2 * min(np.mean(diffs <= 0), np.mean(diffs >= 0)))
    return PairedComparison(score_a, score_b, score_a - score_b, float(low), float(high),
                            float(p), float(level), diffs)


def mcnemar_test(y_true, pred_a, pred_b) -> tuple[int, int, float]:
    """Exact McNemar test for two classifiers' accuracy on the same examples.

    Only the examples where the models disagree carry information: ``a_only`` (A right,
    B wrong) and ``b_only`` (A wrong, B right). If the models were equally accurate,
    each disagreement would go either way with probability 1/2; the two-sided exact
    binomial p-value says how surprising the split is. Returns ``(a_only, b_only, p)``.
    Introduced in Chapter 5.

    >>> mcnemar_test([1] * 10, [1] * 10, [1] * 2 + [0] * 8)
    (8, 0, 0.0078125)
    """
    y_true, pred_a, n_classes = _check_pair(y_true, pred_a)
    _, pred_b, _ = _check_pair(y_true, pred_b)
    right_a, right_b = pred_a == y_true, pred_b == y_true
    a_only = int(np.sum(right_a & ~right_b))
    b_only = int(np.sum(~right_a & right_b))
    n = a_only + b_only
    if n == 0:
        return a_only, b_only, 1.0
    k = min(a_only, b_only)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return a_only, b_only, float(min(1.0, 2 * tail))


# --- ablation ----------------------------------------------------------------------

FILLS = ("zeros", "mean", "shuffle")


def modality_ablation(
    predict: Callable, inputs: Mapping, y_true, *, metric: Callable = accuracy,
    fill: str = "zeros", modalities=None, seed: int = 0,
) -> pd.DataFrame:
    """A model's score with each modality masked in turn: which one does it rely on?

    ``predict(inputs)`` takes a dict ``{modality: array}`` (as a Keras model with named
    inputs does) and returns what ``metric(y_true, predictions)`` expects -- for a Keras
    classifier, ``lambda x: model.predict(x, verbose=0).argmax(-1)``. Each modality in
    ``modalities`` (default: every key) is replaced in turn by

    - ``"zeros"``: all zeros (what a model trained with modality dropout saw as "missing");
    - ``"mean"``: its mean over the examples (no information, typical values);
    - ``"shuffle"``: its rows permuted, breaking the link to the label but keeping the
      distribution (permutation importance).

    Returns a DataFrame indexed by the masked modality (``"none"`` first) with the
    ``score`` and the ``drop`` from the unmasked score. Introduced in Chapter 5.

    >>> import numpy as np
    >>> x = {"a": np.array([[1.0], [0.0], [1.0]]), "b": np.array([[5.0], [5.0], [5.0]])}
    >>> predict = lambda d: (d["a"][:, 0] > 0.5).astype(int)
    >>> modality_ablation(predict, x, [1, 0, 1])  # doctest: +NORMALIZE_WHITESPACE
           score   drop
    masked
    none    1.000  0.000
    a       0.333  0.667
    b       1.000  0.000
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function of a dict of inputs, got "
                        f"{type(predict).__name__}")
    _check_metric(metric)
    if not isinstance(inputs, Mapping) or not inputs:
        raise TypeError("inputs must be a non-empty dict {modality name: array}")
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {FILLS}, got {fill!r}")
    arrays = {}
    for name, x in inputs.items():
        x = np.asarray(x)
        if x.dtype == object or not np.issubdtype(x.dtype, np.number):
            raise TypeError(
                f"inputs[{name!r}] must be a numeric array, got dtype {x.dtype}: encode it "
                "(tokens, features) before ablation"
            )
        arrays[name] = x
    _same_length(y_true=y_true, **{f"inputs[{k!r}]": v for k, v in arrays.items()})
    if modalities is None:
        modalities = list(arrays)
    elif isinstance(modalities, str):
        modalities = [modalities]
    for m in modalities:
        if m not in arrays:
            raise ValueError(f"modality {m!r} is not in inputs; inputs has {list(arrays)}")
    rng = np.random.default_rng(check_seed(seed))
    rows = {"none": float(metric(y_true, predict(dict(arrays))))}
    for m in modalities:
        x = arrays[m]
        if fill == "zeros":
            masked = np.zeros_like(x)
        elif fill == "mean":
            masked = np.broadcast_to(x.mean(axis=0, keepdims=True), x.shape).astype(x.dtype)
        else:
            masked = x[rng.permutation(len(x))]
        rows[m] = float(metric(y_true, predict({**arrays, m: masked})))
    table = pd.DataFrame({"score": rows})
    table["drop"] = table.loc["none", "score"] - table["score"]
    table.index.name = "masked"
    return table.round(3)


# --- Chapter 7: judging generated images ---
# Introduced in Chapter 7 (notebooks/07_text_to_image.ipynb): a generated image is judged by
# what it shows (an attribute classifier trained on real images reads it), not by its pixels.

__all__ += [
    "text_image_consistency",
    "max_entropy",
    "Diversity",
    "attribute_diversity",
    "frechet_distance_gaussians",
    "frechet_distance",
]


def _codes_table(name, codes):
    if isinstance(codes, pd.DataFrame):
        codes = codes.to_numpy()
    x = np.asarray(codes)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.size == 0:
        raise ValueError(
            f"{name} must be a non-empty table of class codes (n, attributes), got shape {x.shape}"
        )
    if not (
        np.issubdtype(x.dtype, np.integer)
        or (np.issubdtype(x.dtype, np.floating) and np.all(x == np.round(x)))
    ):
        raise TypeError(f"{name} must hold integer class codes, got dtype {x.dtype}")
    return x.astype(int)


def text_image_consistency(judged, stated, *, per_sample: bool = False):
    """Share of images whose judged attributes match *every* attribute their caption states.

    ``judged`` holds the class codes a judge read off each image, ``(n, k)`` (a DataFrame
    from :func:`mmteach.generation.judge_attributes` works); ``stated`` holds, row by row, the
    codes the caption states, with ``-1`` where the caption is silent (anything is then
    right). With ``per_sample=True`` returns the 0/1 verdict of each image. Introduced in
    Chapter 7.

    >>> text_image_consistency([[0, 1], [2, 3], [0, 0]], [[0, -1], [2, 1], [-1, -1]])
    0.6666666666666666
    """
    if isinstance(judged, pd.DataFrame) and isinstance(stated, pd.DataFrame):
        if list(judged.columns) != list(stated.columns):
            raise ValueError(
                f"judged and stated must have the same columns, got {list(judged.columns)} "
                f"and {list(stated.columns)}"
            )
    judged, stated = _codes_table("judged", judged), _codes_table("stated", stated)
    if judged.shape != stated.shape:
        raise ValueError(f"judged and stated must have the same shape, got {judged.shape} and {stated.shape}")
    ok = np.all((judged == stated) | (stated < 0), axis=1)
    return ok.astype(int) if per_sample else float(ok.mean())


def max_entropy(n_samples: int, n_classes: int) -> float:
    """The largest entropy (nats) that ``n_samples`` labels over ``n_classes`` classes can have.

    Reached when the counts are as equal as possible; it is ``log(n_classes)`` exactly when
    ``n_classes`` divides ``n_samples``, and ``log(n_samples)`` when there are fewer samples
    than classes. Introduced in Chapter 7.

    >>> round(max_entropy(8, 4), 4), round(max_entropy(5, 4), 4), round(max_entropy(2, 4), 4)
    (1.3863, 1.3322, 0.6931)
    """
    from mmteach._validation import check_int

    n_samples = check_int("n_samples", n_samples, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=1)
    q, r = divmod(n_samples, n_classes)
    counts = np.array([q + 1] * r + [q] * (int(n_classes) - r), dtype=float)
    p = counts[counts > 0] / n_samples
    return float(-(p * np.log(p)).sum())


class Diversity(NamedTuple):
    """Mean entropy of an attribute within groups (nats), beside the largest it could be."""

    entropy: float
    maximum: float

    @property
    def share(self) -> float:
        """``entropy / maximum``: 1 when every group is spread as evenly as possible."""
        return self.entropy / self.maximum if self.maximum > 0 else float("nan")


def attribute_diversity(labels, groups, *, n_classes: int) -> Diversity:
    """How varied an attribute is within each group, e.g. the samples drawn for one caption.

    ``labels`` holds one class code per image (say the position a judge read), ``groups``
    the caption each image was drawn for. Returns :class:`Diversity`: the entropy of the
    labels within each group, averaged over groups, and its exact maximum for the same group
    sizes (:func:`max_entropy`). A generator that always draws the same answer for a caption
    scores 0; one that covers every value the caption leaves open, evenly, scores the
    maximum. Use it on captions *silent* about the attribute. Introduced in Chapter 7.

    >>> d = attribute_diversity([0, 1, 2, 3, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1], n_classes=4)
    >>> round(d.entropy, 4), round(d.maximum, 4), round(d.share, 3)
    (0.6931, 1.3863, 0.5)
    """
    y, _, k = _check_pair(labels, labels, n_classes)
    g = np.asarray(groups)
    if g.ndim != 1 or len(g) != len(y):
        raise ValueError(
            f"groups must be 1-D with one entry per label, got shape {g.shape} for {len(y)} labels"
        )
    entropies, maxima = [], []
    for group in pd.unique(g):
        members = y[g == group]
        p = np.bincount(members, minlength=k) / len(members)
        p = p[p > 0]
        entropies.append(float(-(p * np.log(p)).sum()))
        maxima.append(max_entropy(len(members), k))
    return Diversity(float(np.mean(entropies)), float(np.mean(maxima)))


def frechet_distance_gaussians(mean_a, cov_a, mean_b, cov_b) -> float:
    """Fréchet (2-Wasserstein) distance, squared, between two Gaussians.

    ``|mean_a - mean_b|^2 + tr(cov_a) + tr(cov_b) - 2 tr((cov_a cov_b)^(1/2))``. The matrix
    square root is taken through symmetric eigen-decompositions, which keeps it real and
    stable for covariance matrices. Introduced in Chapter 7.

    >>> frechet_distance_gaussians([0.0], [[1.0]], [3.0], [[4.0]])
    10.0
    """
    mean_a, mean_b = _continuous("mean_a", mean_a).ravel(), _continuous("mean_b", mean_b).ravel()
    cov_a, cov_b = np.atleast_2d(_continuous("cov_a", cov_a)), np.atleast_2d(_continuous("cov_b", cov_b))
    d = len(mean_a)
    for name, m in (("mean_b", mean_b),):
        if len(m) != d:
            raise ValueError(f"{name} has {len(m)} entries, mean_a has {d}")
    for name, c in (("cov_a", cov_a), ("cov_b", cov_b)):
        if c.shape != (d, d):
            raise ValueError(f"{name} must be a ({d}, {d}) covariance matrix, got shape {c.shape}")
        if not np.allclose(c, c.T, atol=1e-8 * max(1.0, np.abs(c).max())):
            raise ValueError(f"{name} must be symmetric (a covariance matrix)")
    w, v = np.linalg.eigh((cov_a + cov_a.T) / 2)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = root_a @ ((cov_b + cov_b.T) / 2) @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    value = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(value, 0.0))


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between two sets of feature vectors, each summarised by a Gaussian.

    ``features_a`` and ``features_b`` are ``(n, d)`` arrays, e.g. a judge's penultimate layer
    on real and on generated images (the idea of the FID, Heusel et al., 2017, with a
    small judge in place of Inception). Lower is closer; compare only distances computed
    with the same features and the same numbers of images, and set them beside the
    distance between two sets of real images, the floor. Introduced in Chapter 7.

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(0, 1, (500, 2)), rng.normal(2, 1, (500, 2))
    >>> round(frechet_distance(a, b), 1)
    8.3
    """
    a, b = _continuous("features_a", features_a), _continuous("features_b", features_b)
    for name, x in (("features_a", a), ("features_b", b)):
        if x.ndim != 2 or len(x) < 2:
            raise ValueError(f"{name} must be (n, d) with n >= 2 feature vectors, got shape {x.shape}")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"features_a and features_b must have the same width, got {a.shape[1]} and {b.shape[1]}"
        )
    return frechet_distance_gaussians(
        a.mean(axis=0),
        np.cov(a, rowvar=False).reshape(a.shape[1], -1),
        b.mean(axis=0),
        np.cov(b, rowvar=False).reshape(b.shape[1], -1),
    )
