"""The Chapter 2 checkers accept the reference answers and reject plausible wrong answers."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mmteach import exercises, preprocessing
from mmteach.exercises import ch02
from mmteach.preprocessing import CaptionVectorizer

IDS = ["ch2-standardize", "ch2-caption-ids", "ch2-fuse", "ch2-leaky-scaler", "ch2-size-model"]
ref = exercises.reference_answer

# --- ch2-standardize -------------------------------------------------------------------


def standardize_ddof1(train, other):
    mean, std = train.mean(axis=0), train.std(axis=0, ddof=1)
    return (train - mean) / std, (other - mean) / std


def standardize_on_all(train, other):
    both = np.concatenate([train, other])
    mean, std = both.mean(axis=0), both.std(axis=0)
    return (train - mean) / std, (other - mean) / std


def standardize_each(train, other):
    return (train - train.mean(axis=0)) / train.std(axis=0), (other - other.mean(axis=0)) / other.std(axis=0)


def standardize_global(train, other):
    return (train - train.mean()) / train.std(), (other - train.mean()) / train.std()


def standardize_train_only(train, other):
    return (train - train.mean(axis=0)) / train.std(axis=0), other


# --- ch2-caption-ids ---------------------------------------------------------------------


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


# --- ch2-fuse: keyed frames in different orders -------------------------------------------


def fuse_bug(table_x, caption_x):  # the notebook's stub
    return np.hstack((table_x, table_x))


def fuse_by_position(table_x, caption_x):  # the one-token "fix": still misaligned
    return np.hstack((table_x, caption_x))


def fuse_swapped(table_x, caption_x):
    return np.hstack((caption_x.loc[table_x.index].to_numpy(), table_x.to_numpy()))


def fuse_sorted(table_x, caption_x):  # right pairs, but sorted by id: labels no longer follow
    joined = table_x.join(caption_x, how="inner").sort_index(ascending=False)
    return joined.to_numpy()


def fuse_inner_join(table_x, caption_x):  # a join keeps the table's order and its rows
    return table_x.join(caption_x, how="inner")


def fuse_merge(table_x, caption_x):
    return (
        table_x.reset_index()
        .merge(caption_x.reset_index(), on="scene_id", how="left")
        .drop(columns="scene_id")
    )


# --- ch2-leaky-scaler -------------------------------------------------------------------


def scale_and_split_seed(features, labels):  # the notebook's stub, as the seed wrote it
    scaler = StandardScaler()
    features = scaler.fit_transform(features)
    x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.2, random_state=0)
    return x_train, x_test, y_train, y_test


def scale_and_split_twice(features, labels):
    x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.2, random_state=0)
    return (
        StandardScaler().fit_transform(x_train),
        StandardScaler().fit_transform(x_test),
        y_train,
        y_test,
    )


def scale_and_split_unscaled(features, labels):
    return tuple(train_test_split(features, labels, test_size=0.2, random_state=0))


def scale_and_split_other_seed(features, labels):  # another split is fine, if fitted on train
    x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.25, random_state=3)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


# --- ch2-size-model ---------------------------------------------------------------------


def size_model_no_repair(train_table, train_size):
    prep = preprocessing.TablePreprocessor().fit(train_table)
    model = LogisticRegression(max_iter=1000).fit(prep.transform(train_table), train_size)
    return lambda table: model.predict(prep.transform(table))


def size_model_tree(train_table, train_size):  # robust to outliers in training, not at test time
    prep = preprocessing.TablePreprocessor().fit(train_table)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(prep.transform(train_table), train_size)
    return lambda table: model.predict(prep.transform(table))


def size_model_constant(train_table, train_size):
    return lambda table: np.zeros(len(table), int)


def size_model_drops_rows(train_table, train_size):
    predict = ref("ch2-size-model")(train_table, train_size)
    return lambda table: predict(table.dropna(subset=["area_cm2"]))


def stub(*args): ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", IDS)
def test_reference_answers_pass(exercise):
    result = exercises.check(exercise, ref(exercise), quiet=True)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch2-standardize", standardize_ddof1),
        ("ch2-fuse", fuse_inner_join),
        ("ch2-fuse", fuse_merge),
        ("ch2-leaky-scaler", scale_and_split_other_seed),
    ],
)
def test_other_right_answers_pass(exercise, answer):
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
        ("ch2-fuse", fuse_by_position, "paired by position"),
        ("ch2-fuse", fuse_swapped, "table features first"),
        ("ch2-fuse", fuse_sorted, "keep the table's order"),
        ("ch2-leaky-scaler", scale_and_split_seed, "fitted on all rows before the split"),
        ("ch2-leaky-scaler", scale_and_split_twice, "its own statistics"),
        ("ch2-leaky-scaler", scale_and_split_unscaled, "not scaled"),
        ("ch2-leaky-scaler", lambda f, y: (f, f), "four arrays"),
        ("ch2-size-model", size_model_no_repair, "Repair the unit errors"),
        ("ch2-size-model", size_model_tree, "Repair them in predict too"),
        ("ch2-size-model", size_model_constant, "below the ceiling"),
        ("ch2-size-model", size_model_drops_rows, "one size per row"),
        ("ch2-size-model", lambda t, y: 0.5, "return a function"),
    ],
)
def test_wrong_answers_get_hints(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong", result.message
    assert hint in result.message


@pytest.mark.parametrize("exercise", IDS)
@pytest.mark.parametrize("answer", [stub, stub_raises, ...])
def test_stubs_are_not_attempted(exercise, answer):
    assert exercises.check(exercise, answer, quiet=True).status == "not attempted"


def test_size_model_reference_reaches_the_realised_ceiling():
    train, test = ch02._size_task()
    predict = ref("ch2-size-model")(train.table, train.labels["size"].to_numpy())
    accuracy, ceiling, _ = ch02.size_model_report(predict, test)
    assert ceiling - 0.01 <= accuracy <= ceiling + 0.02
    # the realised ceiling: every row with an area is decided, the others are a coin flip
    known = test.table["area_cm2"].notna().mean()
    assert np.isclose(ceiling, known + (1 - known) / 2)


def test_crash_in_reader_code_is_reported():
    def broken(table_x, caption_x):
        return table_x.to_numpy() @ caption_x.to_numpy()  # shapes do not multiply

    result = exercises.check("ch2-fuse", broken, quiet=True)
    assert result.status == "error" and "ValueError" in result.message
