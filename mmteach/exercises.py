"""Automatic checkers for the book's exercises.

Introduced in Chapter 1. Every chapter uses the same pattern:

1. the exercise cell holds a stub -- ``...`` or ``raise NotImplementedError`` --
   that runs without crashing the notebook;
2. the next line calls :func:`check` with the exercise's id and the reader's answer;
   it prints *Correct*, or a specific hint for a wrong answer, or a reminder that
   the stub is still a stub, and never raises;
3. the hidden solution cell defines the reference answer and runs it through the
   same checker (``assert check(...)``), so the book's build fails if they disagree.

Example
-------
>>> from mmteach.exercises import check
>>> def ceiling(p_silent, n_classes):
...     raise NotImplementedError
>>> result = check("ch1-text-ceiling", ceiling, quiet=True)
>>> result.passed, result.status
(False, 'not attempted')
>>> result = check("ch1-text-ceiling", lambda p, k: (1 - p) + p / k, quiet=True)
>>> result.passed
True

A chapter adds its checkers here with :func:`checker`; each is a function that takes
the reader's answer and raises :class:`Hint` with a helpful sentence when it is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["CheckResult", "Hint", "NotAttempted", "check", "checker", "registered", "describe"]


class Hint(AssertionError):
    """Raised by a checker: the answer is wrong, and here is a hint why."""


class NotAttempted(Exception):
    """Raised by a checker when the answer is still the stub."""


@dataclass
class CheckResult:
    """What :func:`check` found. Truthy only when the answer passed."""

    exercise: str
    status: str  # "correct", "wrong", "not attempted" or "error"
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        icon = {"correct": "✅", "wrong": "❌", "not attempted": "✏️", "error": "⚠️"}[self.status]
        return f"{icon} [{self.exercise}] {self.message}"

    _just_printed = False

    def _ipython_display_(self):
        # check() has just printed this verdict; when a cell ends with check(...), Jupyter
        # would show it a second time. Show it only when asked for later.
        if self._just_printed:
            self._just_printed = False
            return
        print(self)


_CHECKERS: dict[str, tuple[Callable, str]] = {}


def checker(exercise: str, description: str):
    """Register a checker function under an exercise id such as ``"ch1-text-ceiling"``."""

    def register(fn):
        if exercise in _CHECKERS:
            raise ValueError(f"exercise id {exercise!r} is registered twice")
        _CHECKERS[exercise] = (fn, description)
        return fn

    return register


def registered() -> list[str]:
    """The ids of all exercises that have a checker."""
    return sorted(_CHECKERS)


def describe(exercise: str) -> str:
    """A one-line description of what the checker of ``exercise`` expects."""
    _lookup(exercise)
    return _CHECKERS[exercise][1]


def _lookup(exercise):
    if not isinstance(exercise, str):
        raise TypeError(f"exercise must be an exercise id (str), got {type(exercise).__name__}")
    if exercise not in _CHECKERS:
        raise ValueError(f"unknown exercise {exercise!r}: expected one of {registered()}")
    return _CHECKERS[exercise][0]


def _is_stub(value) -> bool:
    return value is Ellipsis or value is None


def call(fn, *args, **kwargs):
    """Call the reader's function; turn a stub (``...``, ``None``, NotImplementedError) into NotAttempted."""
    if _is_stub(fn):
        raise NotAttempted
    if not callable(fn):
        raise Hint(f"expected a function, got {type(fn).__name__} {fn!r}")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted from None
    if _is_stub(out):
        raise NotAttempted
    return out


def check(exercise: str, answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer`` for ``exercise``; print and return a :class:`CheckResult`.

    Never raises for a wrong answer or a stub (the notebook keeps running); an
    error inside the reader's code is reported with its type and message.
    """
    fn = _lookup(exercise)
    try:
        fn(answer)
    except NotAttempted:
        result = CheckResult(
            exercise, "not attempted", "Not attempted yet: replace the `...` with your code."
        )
    except Hint as hint:
        result = CheckResult(exercise, "wrong", f"Not yet. Hint: {hint}")
    except Exception as err:  # the reader's code crashed: say how, do not crash the notebook
        result = CheckResult(
            exercise, "error", f"Your code raised {type(err).__name__}: {err}"
        )
    else:
        result = CheckResult(exercise, "correct", "Correct!")
    if not quiet:
        print(result)
        result._just_printed = True
    return result


def _close(a, b, tol=1e-6) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    except (TypeError, ValueError):
        return False


# --- Chapter 1 ------------------------------------------------------------------


@checker("ch1-text-ceiling", "ceiling(p_silent, n_classes): best accuracy from one modality")
def _ch1_text_ceiling(fn):
    for p, k in [(0.3, 4), (0.0, 4), (1.0, 4), (0.5, 2), (0.25, 10)]:
        got = call(fn, p, k)
        want = (1 - p) + p / k
        if _close(got, want):
            continue
        if _close(got, 1 - p):
            raise Hint(
                "when the modality is silent the model can still guess: "
                f"one in n_classes of those guesses is right (p_silent={p}, n_classes={k})."
            )
        if _close(got, p / k) or _close(got, p + (1 - p) / k):
            raise Hint("you swapped the roles: p_silent is the chance the modality says *nothing*.")
        raise Hint(f"for p_silent={p}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-fused-ceiling", "fused_ceiling(p_silent_list, n_classes): best accuracy from several")
def _ch1_fused_ceiling(fn):
    for ps, k in [([0.3, 0.1], 4), ([0.5], 2), ([0.2, 0.2, 0.2], 4), ([1.0, 0.4], 4), ([], 4)]:
        got = call(fn, list(ps), k)
        all_silent = float(np.prod(ps)) if ps else 1.0
        want = (1 - all_silent) + all_silent / k
        if _close(got, want):
            continue
        prod_speak = float(np.prod([1 - p for p in ps])) if ps else 0.0
        if _close(got, prod_speak + (1 - prod_speak) / k):
            raise Hint(
                "one modality that speaks is enough: the attribute stays unknown only when "
                "*every* modality is silent, which happens with probability p1 * p2 * ...."
            )
        if ps and _close(got, max((1 - p) + p / k for p in ps)):
            raise Hint("that is the best single modality; fusion can fill the gaps of each.")
        raise Hint(f"for p_silent_list={ps}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-shuffle-together", "shuffle_together(images, captions, seed) keeps pairs aligned")
def _ch1_shuffle_together(fn):
    rng = np.random.default_rng(3)
    n = 50
    images = rng.random((n, 4, 4, 3)).astype(np.float32)
    images[:, 0, 0, 0] = np.arange(n)  # a tag that identifies each image
    captions = np.array([f"caption {i}" for i in range(n)], dtype=object)
    out = call(fn, images.copy(), captions.copy(), 0)
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (shuffled_images, shuffled_captions).")
    new_images, new_captions = np.asarray(out[0]), np.asarray(out[1], dtype=object)
    if new_images.shape != images.shape or new_captions.shape != captions.shape:
        raise Hint(
            f"shapes changed: images {images.shape} -> {new_images.shape}, "
            f"captions {captions.shape} -> {new_captions.shape}."
        )
    tags = new_images[:, 0, 0, 0].astype(int)
    if np.array_equal(tags, np.arange(n)):
        raise Hint("nothing was shuffled: the order is the same as before.")
    if sorted(tags.tolist()) != list(range(n)):
        raise Hint("some images were lost or repeated: use one permutation of all the rows.")
    if not all(c == f"caption {t}" for c, t in zip(new_captions, tags)):
        raise Hint(
            "images and captions were shuffled with different orders, so pairs no longer "
            "match. Draw one permutation and index both arrays with it."
        )
    again = call(fn, images.copy(), captions.copy(), 0)
    if not np.array_equal(np.asarray(again[0]), new_images):
        raise Hint("the same seed must give the same order: build the generator from `seed`.")


# --- Chapter 2 ------------------------------------------------------------------


@checker("ch2-standardize", "standardize(train, other): statistics from the training split only")
def _ch2_standardize(fn):
    rng = np.random.default_rng(2)
    train = rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], size=(200, 3))
    other = rng.normal([8.0, -1.0, 160.0], [4.0, 1.0, 60.0], size=(60, 3))  # a shifted split
    out = call(fn, train.copy(), other.copy())
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (train_standardized, other_standardized).")
    got_train, got_other = (np.asarray(a, dtype=float) for a in out)
    if got_train.shape != train.shape or got_other.shape != other.shape:
        raise Hint(
            f"shapes changed: train {train.shape} -> {got_train.shape}, "
            f"other {other.shape} -> {got_other.shape}; standardise element by element."
        )

    def z(x, ref, axis=0):
        return (x - ref.mean(axis=axis)) / ref.std(axis=axis)

    def close(a, b):  # std with ddof=0 or ddof=1 both pass
        return np.allclose(a, b, rtol=1e-2, atol=1e-2)

    if close(got_train, z(train, train)) and close(got_other, z(other, train)):
        return
    both = np.concatenate([train, other])
    if close(got_other, z(other, both)):
        raise Hint(
            "the mean and standard deviation came from train and other together: the held-out "
            "split leaked into the statistics. Compute them from `train` alone."
        )
    if close(got_other, z(other, other)):
        raise Hint(
            "`other` was standardised with its own statistics (a second fit): use the training "
            "mean and standard deviation for every split, as a deployed model would."
        )
    if close(got_train, z(train, train, axis=None)):
        raise Hint("use one mean and one standard deviation per column: reduce over axis=0.")
    if close(got_train, z(train, train)):
        raise Hint("`train` is right; transform `other` with the same (training) statistics.")
    raise Hint("expected (x - train.mean(axis=0)) / train.std(axis=0) for both splits.")


@checker("ch2-caption-ids", "encode(caption, vocabulary, max_len): ids with [UNK]=1 and padding 0")
def _ch2_caption_ids(fn):
    vocabulary = ["", "[UNK]", "a", "red", "circle", "in", "the", "topleft", "big"]
    cases = [
        ("a red circle", 5, [2, 3, 4, 0, 0]),
        ("a purple circle", 4, [2, 1, 4, 0]),
        ("A big RED circle in the top-left", 6, [2, 8, 3, 4, 5, 6]),
        ("", 3, [0, 0, 0]),
    ]
    for caption, max_len, want in cases:
        got = call(fn, caption, list(vocabulary), max_len)
        try:
            got = [int(i) for i in np.asarray(got).ravel()]
        except (TypeError, ValueError):
            raise Hint(f"return a list of integer ids, got {got!r}") from None
        if got == want:
            continue
        if len(got) != max_len:
            if len(got) > max_len:
                raise Hint(
                    f"{caption!r} gave {len(got)} ids for max_len={max_len}: cut longer "
                    "captions to max_len ids."
                )
            raise Hint(
                f"{caption!r} gave {len(got)} ids: pad with 0 (the padding id) up to max_len="
                f"{max_len}, so every caption has the same length."
            )
        if "purple" in caption and got[1] == 0:
            raise Hint("an unknown word gets id 1 ([UNK]), not 0: 0 means 'no word here' (padding).")
        if caption.startswith("A big"):
            raise Hint(
                "lower-case the caption and strip punctuation before looking words up "
                "(CaptionVectorizer.tokenize does both): 'A' -> 'a', 'top-left' -> 'topleft'."
            )
        raise Hint(f"encode({caption!r}, vocabulary, {max_len}) should be {want}, got {got}.")


@checker("ch2-fuse", "fuse(table_x, caption_x): both modalities side by side, rows aligned")
def _ch2_fuse(fn):
    rng = np.random.default_rng(4)
    table_x = rng.normal(size=(30, 4)).astype(np.float32)
    caption_x = rng.normal(size=(30, 4)).astype(np.float32) + 10  # same width: shape can't tell
    out = call(fn, table_x.copy(), caption_x.copy())
    got = np.asarray(out)
    want = np.hstack((table_x, caption_x))
    if got.shape != want.shape:
        if got.shape == (60, 4):
            raise Hint("that stacks rows (more scenes); fusion puts features side by side: axis=1.")
        raise Hint(f"expected shape {want.shape} (n, table + caption features), got {got.shape}.")
    if np.allclose(got, np.hstack((table_x, table_x))) or np.allclose(
        got, np.hstack((caption_x, caption_x))
    ):
        raise Hint(
            "one modality is stacked next to itself: the other never reaches the model. "
            "Each modality must appear once."
        )
    if np.allclose(got, np.hstack((caption_x, table_x))):
        raise Hint("put the table features first, then the caption features.")
    if not np.allclose(got, want):
        raise Hint("each row must hold that scene's table features and then its caption features.")
    try:
        call(fn, table_x, caption_x[:-1])
    except ValueError:
        return
    except (NotAttempted, Hint):
        raise
    except Exception as err:
        raise Hint(
            f"mismatched row counts raised {type(err).__name__}; raise a ValueError instead."
        ) from None
    raise Hint(
        "30 table rows and 29 caption rows were fused without complaint: rows of different "
        "lengths cannot describe the same scenes, so raise a ValueError."
    )


# --- Chapter 4 ------------------------------------------------------------------


def _adam_reference(w, g, m, v, t, lr, b1, b2, eps, *, paper=True, correct=True, square=True):
    """One Adam step in NumPy, and the plausible wrong variants the hints name."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g if square else g)
    m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
    with np.errstate(invalid="ignore"):  # the no-square variant may take sqrt of v < 0
        if paper:
            w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        else:  # Keras's order: epsilon outside the bias-corrected root
            w = w - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    return w, m, v


@checker("ch4-adam-step", "adam_step(w, g, m, v, t, ...) returns the new (w, m, v)")
def _ch4_adam_step(fn):
    rng = np.random.default_rng(4)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    w = rng.normal(size=5)
    m, v = np.zeros(5), np.zeros(5)
    for t in range(1, 6):
        g = rng.normal(size=5) * np.array([1.0, 0.1, 3.0, 0.5, 2.0])
        out = call(
            fn, w.copy(), g.copy(), m.copy(), v.copy(), t,
            learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps,
        )
        if not isinstance(out, tuple) or len(out) != 3:
            raise Hint("return a tuple of three arrays: (new_w, new_m, new_v).")
        got = [np.asarray(a, dtype=float) for a in out]
        if any(a.shape != w.shape for a in got):
            raise Hint(f"each returned array must have the shape of w, {w.shape}.")
        if not all(np.all(np.isfinite(a)) for a in got):
            raise Hint(
                f"got inf or nan at step t={t}: the bias correction divides by 1 - beta_1**t, "
                "which is 0 when t is 0. Steps are counted from t=1."
            )
        want = _adam_reference(w, g, m, v, t, lr, b1, b2, eps)
        keras_form = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, paper=False)

        def same(a, b):
            return all(np.allclose(x, y, rtol=1e-5, atol=1e-8) for x, y in zip(a, b))

        if same(got, want) or same(got, keras_form):
            w, m, v = want
            continue
        if not np.allclose(got[1], want[1], rtol=1e-5, atol=1e-8):
            if np.allclose(got[1], m):
                raise Hint("m did not change: return the *updated* running mean of the gradients.")
            raise Hint("m is wrong: m <- beta_1 * m + (1 - beta_1) * g.")
        if not np.allclose(got[2], want[2], rtol=1e-5, atol=1e-8):
            no_square = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, square=False)
            if np.allclose(got[2], no_square[2]):
                raise Hint("v averages the *squared* gradients: (1 - beta_2) * g**2.")
            if np.allclose(got[2], v):
                raise Hint("v did not change: return the *updated* running mean of g**2.")
            raise Hint("v is wrong: v <- beta_2 * v + (1 - beta_2) * g**2.")
        uncorrected = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, correct=False)
        if np.allclose(got[0], uncorrected[0], rtol=1e-5):
            raise Hint(
                "m and v are right but the bias correction is missing: both start at 0, so "
                "divide m by (1 - beta_1**t) and v by (1 - beta_2**t) before the step."
            )
        if np.allclose(got[0], 2 * w - want[0], rtol=1e-5):
            raise Hint("the step goes uphill: subtract it from w (w - lr * ...), do not add it.")
        raise Hint(
            f"m and v are right but w is not at step t={t}: "
            "w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)."
        )


@checker("ch4-two-head-targets", "make_targets(labels) gives one label array per output head")
def _ch4_two_head_targets(fn):
    import pandas as pd

    rng = np.random.default_rng(5)
    labels = pd.DataFrame(
        {
            "shape": rng.integers(0, 4, 40),
            "colour": rng.integers(0, 4, 40),
            "size": rng.integers(0, 2, 40),
            "position": rng.integers(0, 4, 40),
        }
    )
    out = call(fn, labels.copy())
    if isinstance(out, (list, tuple)):
        raise Hint(
            "a list matches heads by position, and a dict-output model has no fixed order: "
            "return a dict keyed by the heads' names, {'shape': ..., 'colour': ...}."
        )
    if not isinstance(out, dict):
        shape = np.shape(out)
        raise Hint(
            f"that is one label array (shape {shape}) for a model with two heads: Keras "
            "cannot tell which labels belong to which head. Return a dict with one array per "
            "head, keyed by the output names: {'shape': ..., 'colour': ...}."
        )
    if set(out) != {"shape", "colour"}:
        raise Hint(
            f"the keys must be the model's output names, 'shape' and 'colour'; got {sorted(out)}."
        )
    got = {k: np.asarray(v) for k, v in out.items()}
    for k, v in got.items():
        if v.shape != (len(labels),):
            raise Hint(
                f"out[{k!r}] must be one integer label per scene, shape ({len(labels)},); "
                f"got {v.shape}."
            )
    shape, colour = labels["shape"].to_numpy(), labels["colour"].to_numpy()
    if np.array_equal(got["shape"], colour) and np.array_equal(got["colour"], shape):
        raise Hint("the two heads got each other's labels: swap them.")
    if np.array_equal(got["colour"], shape):
        raise Hint(
            "the colour head is trained on the *shape* labels, so it can only learn to guess "
            "shapes: give it labels['colour']."
        )
    if np.array_equal(got["shape"], colour):
        raise Hint("the shape head is trained on the colour labels: give it labels['shape'].")
    for k in ("shape", "colour"):
        if not np.array_equal(got[k], labels[k].to_numpy()):
            raise Hint(f"out[{k!r}] must be labels[{k!r}], row for row.")


# --- Chapter 5 ------------------------------------------------------------------


@checker("ch5-balanced-accuracy", "balanced_accuracy(y_true, y_pred, n_classes): mean recall")
def _ch5_balanced_accuracy(fn):
    from .metrics import accuracy, precision_score, recall_score

    rng = np.random.default_rng(5)
    y_true = rng.choice(4, 300, p=[0.7, 0.1, 0.1, 0.1])
    cases = [
        (y_true, np.zeros_like(y_true)),  # a constant predictor
        (y_true, np.where(rng.random(300) < 0.7, y_true, rng.integers(0, 4, 300))),
        (np.array([0, 0, 0, 1, 1, 2, 3]), np.array([0, 0, 1, 1, 1, 2, 0])),
    ]
    for t, p in cases:
        got = call(fn, t.copy(), p.copy(), 4)
        want = recall_score(t, p, n_classes=4)
        if _close(got, want):
            continue
        if _close(got, accuracy(t, p)):
            raise Hint(
                "that is plain accuracy, which the frequent class dominates. Compute the "
                "recall of each class (correct / number of scenes that truly are that class), "
                "then take the plain mean over classes."
            )
        if _close(got, precision_score(t, p, n_classes=4)):
            raise Hint(
                "you divided by how often each class was *predicted* (that is precision). "
                "Recall divides by how many scenes truly are the class: the rows of the "
                "confusion matrix."
            )
        raise Hint(f"for a test case expected {want:.4f}, got {got!r}.")


def _as_positions(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (train_index, test_index), two arrays of row positions.")
    train, test = (np.asarray(x) for x in out)
    if train.dtype == bool and test.dtype == bool:
        train, test = np.flatnonzero(train), np.flatnonzero(test)
    if not (np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)):
        raise Hint("return integer row positions (like np.flatnonzero(mask)), not the ids.")
    return train, test


@checker("ch5-group-split", "group_split(scene_ids, test_fraction, seed): no scene on both sides")
def _ch5_group_split(fn):
    rng = np.random.default_rng(11)
    unique = np.array([f"S{i:03d}" for i in range(60)], dtype=object)
    ids = unique[rng.integers(0, 60, 240)]  # each scene appears about four times
    train, test = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if len(np.intersect1d(train, test)) or sorted(np.r_[train, test].tolist()) != list(
        range(len(ids))
    ):
        raise Hint("every row must go to exactly one side: train or test, once.")
    shared = set(ids[train]) & set(ids[test])
    if shared:
        raise Hint(
            f"{len(shared)} scenes have copies on both sides (e.g. {sorted(shared)[0]}), so "
            "the test set quizzes the model on scenes it has seen. Shuffle the *unique* "
            "scene ids, put a fraction of them in the test set, then send every row to the "
            "side of its id (np.isin helps)."
        )
    n_test_ids, n_ids = len(set(ids[test])), len(set(ids))
    if abs(n_test_ids - 0.25 * n_ids) > 1.5:
        raise Hint(
            f"test_fraction=0.25 of the {n_ids} scenes should be in the test set, got "
            f"{n_test_ids}: take the fraction of unique ids, not of rows."
        )
    _, test_again = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if not np.array_equal(np.sort(test_again), np.sort(test)):
        raise Hint("the same seed must give the same split: build the generator from `seed`.")


@checker("ch5-recall-at-k", "recall_at_k(similarity, k): rows are queries, diagonal positives")
def _ch5_recall_at_k(fn):
    from .metrics import recall_at_k

    rng = np.random.default_rng(8)
    s = rng.standard_normal((40, 40)) + 2.0 * np.eye(40)
    s[:, :4] += 2.5  # four popular candidates: the two directions then differ
    for k in (1, 3, 10):
        got = call(fn, s.copy(), k)
        want = recall_at_k(s, k)
        if _close(got, want):
            continue
        if _close(got, recall_at_k(-s, k)):
            raise Hint(
                "np.argsort sorts from the smallest value up, so the first k columns are "
                "the k *least* similar candidates. Sort by -similarity, or take the last k."
            )
        if _close(got, recall_at_k(s.T, k)):
            raise Hint(
                "you ranked along the wrong axis: each row is a query, so rank the "
                "candidates across the columns of that row (axis=1)."
            )
        if k < 40 and _close(got, recall_at_k(s, k + 1)):
            raise Hint("off by one: the top k are positions 0 .. k-1 of the ranking.")
        raise Hint(f"for k={k} expected {want:.4f}, got {got!r}.")


# --- Chapter 3 ------------------------------------------------------------------


def _ch3_labels(n=40, seed=3):
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "shape": rng.integers(0, 4, n),
            "colour": rng.integers(0, 4, n),
            "size": rng.integers(0, 2, n),
            "position": rng.integers(0, 4, n),
        }
    )


_CH3_FLATTEN = (
    "a Dense layer acts on the *last* axis only: on a (32, 32, 3) image it makes 128 numbers "
    "for every pixel, a (32, 32, 128) tensor, not one vector per image. Flatten the image "
    "first: layers.Flatten()(image)."
)


@checker(
    "ch3-two-input-model",
    "(build_two_input_model, two_input_targets): text + image in, is_large + is_red out",
)
def _ch3_two_input_model(answer):
    import keras

    if _is_stub(answer):
        raise NotAttempted
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Hint("pass the pair of functions: (build_two_input_model, two_input_targets).")
    build, make_targets = answer
    try:
        model = call(build)
    except (ValueError, TypeError) as err:
        if "32, 32, 128" in str(err):
            raise Hint(_CH3_FLATTEN) from None
        raise
    if not isinstance(model, keras.Model):
        raise Hint(f"build_two_input_model must return a keras.Model, got {type(model).__name__}.")
    inputs = {t.name: tuple(t.shape[1:]) for t in model.inputs}
    if inputs != {"text": (100,), "image": (32, 32, 3)}:
        raise Hint(
            "the model needs two named inputs, 'text' of shape (100,) and 'image' of shape "
            f"(32, 32, 3); it has {inputs}."
        )
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense) and len(layer.input.shape) > 2:
            raise Hint(_CH3_FLATTEN)
    outputs = model.outputs
    if len(outputs) != 2:
        raise Hint(f"the model needs two outputs (is_large and is_red), it has {len(outputs)}.")
    names = [t.name.split("/")[0] for t in outputs]
    names = list(getattr(model, "output_names", None) or names)
    if sorted(names) != ["is_large", "is_red"]:
        raise Hint(f"name the two output layers 'is_large' and 'is_red'; they are named {names}.")
    for t in outputs:
        if tuple(t.shape[1:]) != (1,):
            raise Hint(
                f"each head answers a yes/no question: one sigmoid unit, shape (None, 1); "
                f"got {tuple(t.shape)}."
            )
    rng = np.random.default_rng(0)
    x = {
        "text": rng.random((3, 100)).astype("float32"),
        "image": rng.random((3, 32, 32, 3)).astype("float32"),
    }
    predictions = model(x, training=False)
    if isinstance(predictions, dict):
        predictions = list(predictions.values())
    for p in predictions:
        p = np.asarray(p)
        if p.min() < 0 or p.max() > 1:
            raise Hint("the heads must output probabilities: activation='sigmoid'.")
    labels = _ch3_labels()
    targets = call(make_targets, labels.copy())
    if not isinstance(targets, dict | list | tuple):
        raise Hint(
            f"two_input_targets returns one array (shape {np.shape(targets)}) for a model with "
            "two outputs, so Keras cannot tell which labels belong to which head (recent Keras "
            "versions stop with a puzzling KeyError about a 'path'). Return one array per head: a dict "
            "{'is_large': ..., 'is_red': ...}."
        )
    if not isinstance(targets, dict):
        if isinstance(model.output, dict):
            raise Hint(
                "the model's outputs are a dict, which has no fixed order: return the labels "
                "as a dict too, keyed by the output names {'is_large': ..., 'is_red': ...}."
            )
        if len(targets) != 2:
            raise Hint(f"return two label arrays, one per head; got {len(targets)}.")
        targets = dict(zip(names, targets))
    if set(targets) != {"is_large", "is_red"}:
        raise Hint(f"the keys must be the output names 'is_large' and 'is_red'; got {sorted(targets)}.")
    want = {
        "is_large": (labels["size"] == 1).to_numpy(float),
        "is_red": (labels["colour"] == 0).to_numpy(float),
    }
    got = {k: np.asarray(v, dtype=float).reshape(len(labels), -1)[:, 0] for k, v in targets.items()}
    if np.array_equal(got["is_large"], want["is_red"]) and np.array_equal(got["is_red"], want["is_large"]):
        raise Hint("the two heads got each other's labels: swap them.")
    if np.array_equal(got["is_large"], got["is_red"]):
        raise Hint("both heads get the same labels: each head needs its own question's answers.")
    for k, why in (("is_large", "labels['size'] == 1"), ("is_red", "labels['colour'] == 0 (red)")):
        if not np.array_equal(got[k], want[k]):
            raise Hint(f"targets[{k!r}] must be 1 where {why} and 0 elsewhere.")


@checker("ch3-dropout-mask", "modality_dropout_mask(n, n_modalities, rate, seed): 0/1, never all 0")
def _ch3_dropout_mask(fn):
    n, m, rate = 20000, 3, 0.6
    out = call(fn, n, m, rate, 0)
    mask = np.asarray(out)
    if mask.shape != (n, m):
        raise Hint(
            f"return one row per sample and one column per modality: shape ({n}, {m}); "
            f"got {mask.shape}."
        )
    if not np.all(np.isin(mask, (0, 1))):
        raise Hint("a mask holds only 1 (keep the modality) and 0 (drop it).")
    if np.any(mask.sum(axis=1) == 0):
        raise Hint(
            "some samples lose every modality and carry nothing to learn from: when the draw "
            "drops them all, keep one of them, chosen at random."
        )
    kept = mask.mean(axis=0)
    want = (1 - rate) + rate**m / m  # each kept with 1 - rate, plus its share of the rescues
    if np.all(np.abs(kept - (rate + (1 - rate) ** m / m)) < 0.015):
        raise Hint(
            f"rate is the probability of *dropping* a modality: with rate={rate} about "
            f"{1 - rate:.0%} are kept before the rescue."
        )
    if abs(kept[0] - (1 - rate + rate**m)) < 0.015 and np.all(np.abs(kept[1:] - (1 - rate)) < 0.015):
        raise Hint("the rescued modality is always the first one: choose it at random.")
    if np.any(np.abs(kept - want) > 0.015):
        raise Hint(
            f"each modality should be dropped independently with probability rate={rate}; the "
            f"fractions kept per column are {np.round(kept, 3).tolist()}, expected about {want:.3f}."
        )
    both = np.mean((mask[:, 0] == 0) & (mask[:, 1] == 0))
    if abs(both - rate**2 * (1 - rate) - rate**3 / m) > 0.015:  # third kept or rescued
        raise Hint("drop the modalities independently: draw one random number per sample AND modality.")
    if not np.all(np.asarray(call(fn, 50, 4, 0.0, 1)) == 1):
        raise Hint("with rate=0 nothing may be dropped: the mask must be all ones.")
    if not np.all(np.asarray(call(fn, 50, 1, 0.5, 1)) == 1):
        raise Hint("with a single modality there is nothing to drop: it must always be kept.")
    if not np.array_equal(np.asarray(call(fn, 200, 3, 0.5, 7)), np.asarray(call(fn, 200, 3, 0.5, 7))):
        raise Hint("the same seed must give the same mask: build the generator from `seed`.")
    if np.array_equal(np.asarray(call(fn, 200, 3, 0.5, 7)), np.asarray(call(fn, 200, 3, 0.5, 8))):
        raise Hint("different seeds give the same mask: use `seed` to build the random generator.")


@checker("ch3-match-ceiling", "match_ceiling(p_image, p_caption): best accuracy on the synergy task")
def _ch3_match_ceiling(fn):
    for p_image, p_caption in [(0.1, 0.3), (0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.2, 0.0), (0.3, 0.6)]:
        got = call(fn, p_image, p_caption)
        both = (1 - p_image) * (1 - p_caption)
        want = both + (1 - both) * 0.5
        if _close(got, want):
            continue
        either = 1 - p_image * p_caption
        if _close(got, either + (1 - either) * 0.5) or _close(got, either):
            raise Hint(
                "one modality speaking is enough for redundancy, not for synergy: the label "
                "compares the image with the caption, so *both* must speak about the colour."
            )
        if _close(got, both):
            raise Hint(
                "when either modality is silent the model cannot judge the pair, but a coin flip "
                "is still right half of the time: add (1 - both) * 0.5."
            )
        if _close(got, 0.5):
            raise Hint("0.5 is each modality alone; together they do better whenever both speak.")
        raise Hint(f"for p_image={p_image}, p_caption={p_caption} expected {want:.4f}, got {got!r}.")
