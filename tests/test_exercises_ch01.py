"""The Chapter 1 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises

text_ceiling = exercises.reference_answer("ch1-text-ceiling")
fused_ceiling = exercises.reference_answer("ch1-fused-ceiling")
shuffle_together = exercises.reference_answer("ch1-shuffle-together")
fit_caption_model = exercises.reference_answer("ch1-caption-model")


def shuffle_apart(images, captions, seed):  # the bug: two different permutations
    rng = np.random.default_rng(seed)
    return images[rng.permutation(len(images))], captions[rng.permutation(len(captions))]


def unseeded_shuffle(images, captions, seed):  # aligned, but not repeatable
    order = np.random.default_rng().permutation(len(images))
    return images[order], captions[order]


def stub(*args): ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch1-text-ceiling", text_ceiling),
        ("ch1-fused-ceiling", fused_ceiling),
        ("ch1-shuffle-together", shuffle_together),
        ("ch1-caption-model", fit_caption_model),
    ],
)
def test_reference_solutions_pass(exercise, answer):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.passed and result.status == "correct" and bool(result)


@pytest.mark.parametrize(
    "exercise", ["ch1-text-ceiling", "ch1-fused-ceiling", "ch1-shuffle-together", "ch1-caption-model"]
)
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
        (
            "ch1-fused-ceiling",
            lambda ps, k: float(np.prod([1 - p for p in ps])) + (1 - float(np.prod([1 - p for p in ps]))) / k,
            r"\*every\* modality",
        ),
        (
            "ch1-fused-ceiling",
            lambda ps, k: max((1 - p) + p / k for p in ps) if ps else 1 / k,
            "best single modality",
        ),
        ("ch1-shuffle-together", shuffle_apart, "different orders"),
        ("ch1-shuffle-together", lambda im, cap, s: (im, cap), "nothing was shuffled"),
        ("ch1-shuffle-together", lambda im, cap, s: im[::-1], "return a pair"),
        ("ch1-shuffle-together", unseeded_shuffle, "same seed"),
        ("ch1-shuffle-together", lambda im, cap, s: (im, im), "shapes changed"),
        (
            "ch1-shuffle-together",
            lambda im, cap, s: (im[np.r_[1, 1, 2 : len(im)]], cap[np.r_[1, 1, 2 : len(im)]]),
            "lost or repeated",
        ),
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


# --- ch1-caption-model -------------------------------------------------------------------


class KeywordModel:
    """Knows only the four plain colour words, not their synonyms: a real first attempt."""

    words = ("red", "green", "blue", "yellow")

    def fit(self, captions, colours):
        return self

    def predict(self, captions):
        return np.array([next((i for i, w in enumerate(self.words) if w in c.split()), 0) for c in captions])


class Named(KeywordModel):
    def predict(self, captions):
        return np.asarray(self.words)[super().predict(captions)]


def fitted_on_shuffled_colours(captions, colours):
    return fit_caption_model(captions, np.random.default_rng(0).permutation(colours))


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda c, y: KeywordModel(), "synonym|does your model know them all"),
        (lambda c, y: Named(), "class numbers 0-3"),
        (fitted_on_shuffled_colours, "near chance"),
        (lambda c, y: None if False else "a model", "return the fitted model"),
        (lambda c, y: type("M", (), {"predict": lambda self, c: np.zeros(3, int)})(), "one colour per"),
    ],
)
def test_caption_model_wrong_answers_get_hints(answer, hint):
    result = exercises.check("ch1-caption-model", answer, quiet=True)
    assert result.status == "wrong", result.message
    assert __import__("re").search(hint, result.message), result.message


def test_caption_model_is_scored_against_the_realised_ceiling():
    from mmteach.exercises import ch01

    data = ch01._ch1_caption_data()
    assert abs(data["ceiling"] - data["expected"]) < 0.03  # 2,000 scenes: close to the average
    model = fit_caption_model(data["captions"], data["colours"])
    acc = np.mean(model.predict(data["test_captions"]) == data["test_colours"])
    assert data["ceiling"] - ch01._CH1_TOLERANCE <= acc <= data["ceiling"] + 0.02
