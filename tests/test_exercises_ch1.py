"""The Chapter 1 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises


def text_ceiling(p_silent, n_classes):
    return (1 - p_silent) + p_silent / n_classes


def fused_ceiling(p_silent_list, n_classes):
    all_silent = float(np.prod(p_silent_list)) if len(p_silent_list) else 1.0
    return (1 - all_silent) + all_silent / n_classes


def shuffle_together(images, captions, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    return images[order], captions[order]


def shuffle_apart(images, captions, seed):  # the bug: two different permutations
    rng = np.random.default_rng(seed)
    return images[rng.permutation(len(images))], captions[rng.permutation(len(captions))]


def unseeded_shuffle(images, captions, seed):  # aligned, but not repeatable
    order = np.random.default_rng().permutation(len(images))
    return images[order], captions[order]


def stub(*args):
    ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "exercise, answer", [("ch1-text-ceiling", text_ceiling), ("ch1-fused-ceiling", fused_ceiling),
                         ("ch1-shuffle-together", shuffle_together)]
)
def test_reference_solutions_pass(exercise, answer):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.passed and result.status == "correct" and bool(result)


@pytest.mark.parametrize("exercise", ["ch1-text-ceiling", "ch1-fused-ceiling",
                                      "ch1-shuffle-together"])
@pytest.mark.parametrize("answer", [stub, stub_raises, ..., None])
def test_stubs_are_not_attempted(exercise, answer):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "not attempted" and not result


@pytest.mark.parametrize(
    "exercise, answer, hint",
    [
        ("ch1-text-ceiling", lambda p, k: 1 - p, "still guess"),
        ("ch1-text-ceiling", lambda p, k: p + (1 - p) / k, "swapped"),
        ("ch1-text-ceiling", lambda p, k: 0.5, "expected"),
        ("ch1-fused-ceiling", lambda ps, k: float(np.prod([1 - p for p in ps]))
         + (1 - float(np.prod([1 - p for p in ps]))) / k, r"\*every\* modality"),
        ("ch1-fused-ceiling", lambda ps, k: max((1 - p) + p / k for p in ps) if ps else 1 / k,
         "best single modality"),
        ("ch1-shuffle-together", shuffle_apart, "different orders"),
        ("ch1-shuffle-together", lambda im, cap, s: (im, cap), "nothing was shuffled"),
        ("ch1-shuffle-together", lambda im, cap, s: im[::-1], "return a pair"),
        ("ch1-shuffle-together", unseeded_shuffle, "same seed"),
        ("ch1-shuffle-together", lambda im, cap, s: (im, im), "shapes changed"),
        ("ch1-shuffle-together",
         lambda im, cap, s: (im[np.r_[1, 1, 2:len(im)]], cap[np.r_[1, 1, 2:len(im)]]),
         "lost or repeated"),
    ],
)
def test_wrong_answers_get_a_specific_hint(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong"
    assert __import__("re").search(hint, result.message), result.message


def test_crashing_answer_is_reported_not_raised(capsys):
    result = exercises.check("ch1-text-ceiling", lambda p, k: 1 / 0)
    assert result.status == "error" and "ZeroDivisionError" in result.message
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_check_prints_the_verdict(capsys):
    exercises.check("ch1-text-ceiling", text_ceiling)
    assert "Correct" in capsys.readouterr().out


def test_check_refuses_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise 'ch99-x'"):
        exercises.check("ch99-x", text_ceiling)
    with pytest.raises(TypeError, match="exercise must be an exercise id"):
        exercises.check(3, text_ceiling)


def test_registry_lists_and_describes():
    assert "ch1-text-ceiling" in exercises.registered()
    assert "best accuracy" in exercises.describe("ch1-text-ceiling")
    with pytest.raises(ValueError, match="registered twice"):
        exercises.checker("ch1-text-ceiling", "again")(lambda a: None)


def test_verdict_is_shown_once_in_jupyter(capsys):
    result = exercises.check("ch1-text-ceiling", text_ceiling)
    result._ipython_display_()  # what Jupyter does when the cell ends with check(...)
    assert capsys.readouterr().out.count("Correct") == 1
    result._ipython_display_()  # asked for again later: shown
    assert "Correct" in capsys.readouterr().out
