"""The Chapter 2 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises
from mmteach.preprocessing import CaptionVectorizer

# --- ch2-standardize -------------------------------------------------------------------


def standardize(train, other):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (other - mean) / std


def standardize_ddof1(train, other):
    mean, std = train.mean(axis=0), train.std(axis=0, ddof=1)
    return (train - mean) / std, (other - mean) / std


def standardize_on_all(train, other):
    both = np.concatenate([train, other])
    mean, std = both.mean(axis=0), both.std(axis=0)
    return (train - mean) / std, (other - mean) / std


def standardize_each(train, other):
    return [(x - x.mean(axis=0)) / x.std(axis=0) for x in (train, other)][0], (
        other - other.mean(axis=0)
    ) / other.std(axis=0)


def standardize_global(train, other):
    return (train - train.mean()) / train.std(), (other - train.mean()) / train.std()


def standardize_train_only(train, other):
    return (train - train.mean(axis=0)) / train.std(axis=0), other


# --- ch2-caption-ids ---------------------------------------------------------------------


def encode(caption, vocabulary, max_len):
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = [index.get(w, 1) for w in CaptionVectorizer.tokenize(caption)][:max_len]
    return ids + [0] * (max_len - len(ids))


def encode_unk_zero(caption, vocabulary, max_len):
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = [index.get(w, 0) for w in CaptionVectorizer.tokenize(caption)][:max_len]
    return ids + [0] * (max_len - len(ids))


def encode_no_padding(caption, vocabulary, max_len):
    index = {w: i for i, w in enumerate(vocabulary)}
    return [index.get(w, 1) for w in CaptionVectorizer.tokenize(caption)][:max_len]


def encode_no_truncation(caption, vocabulary, max_len):
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = [index.get(w, 1) for w in CaptionVectorizer.tokenize(caption)]
    return ids + [0] * (max_len - len(ids))


def encode_raw_split(caption, vocabulary, max_len):
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = [index.get(w, 1) for w in caption.split()][:max_len]
    return ids + [0] * (max_len - len(ids))


# --- ch2-fuse ---------------------------------------------------------------------------


def fuse(table_x, caption_x):
    return np.hstack((table_x, caption_x))


def fuse_bug(table_x, caption_x):
    return np.hstack((table_x, table_x))


def fuse_rows(table_x, caption_x):
    return np.vstack((table_x, caption_x))


def fuse_swapped(table_x, caption_x):
    return np.hstack((caption_x, table_x))


def fuse_truncating(table_x, caption_x):
    n = min(len(table_x), len(caption_x))
    return np.hstack((table_x[:n], caption_x[:n]))


def stub(*args):
    ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch2-standardize", standardize),
        ("ch2-standardize", standardize_ddof1),
        ("ch2-caption-ids", encode),
        ("ch2-fuse", fuse),
    ],
)
def test_reference_solutions_pass(exercise, answer):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "exercise, answer, hint",
    [
        ("ch2-standardize", standardize_on_all, "leaked"),
        ("ch2-standardize", standardize_each, "its own statistics"),
        ("ch2-standardize", standardize_global, "per column"),
        ("ch2-standardize", standardize_train_only, "same (training) statistics"),
        ("ch2-standardize", lambda a, b: a, "pair"),
        ("ch2-caption-ids", encode_unk_zero, "id 1"),
        ("ch2-caption-ids", encode_no_padding, "pad with 0"),
        ("ch2-caption-ids", encode_no_truncation, "cut longer"),
        ("ch2-caption-ids", encode_raw_split, "lower-case"),
        ("ch2-fuse", fuse_bug, "stacked next to itself"),
        ("ch2-fuse", fuse_rows, "axis=1"),
        ("ch2-fuse", fuse_swapped, "table features first"),
        ("ch2-fuse", fuse_truncating, "raise a ValueError"),
    ],
)
def test_wrong_answers_get_hints(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong"
    assert hint in result.message


@pytest.mark.parametrize("exercise", ["ch2-standardize", "ch2-caption-ids", "ch2-fuse"])
@pytest.mark.parametrize("answer", [stub, stub_raises, ...])
def test_stubs_are_not_attempted(exercise, answer):
    assert exercises.check(exercise, answer, quiet=True).status == "not attempted"


def test_crash_in_reader_code_is_reported():
    def broken(table_x, caption_x):
        return table_x @ caption_x  # shapes do not multiply

    result = exercises.check("ch2-fuse", broken, quiet=True)
    assert result.status == "error" and "ValueError" in result.message
