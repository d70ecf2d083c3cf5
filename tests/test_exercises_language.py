"""Checker hints speak the reader's language: English, or Chinese for the Chinese edition.

Every hint of every chapter is a template with named fields; mmteach/exercises/zh_CN.py holds its
Chinese template with the same fields, so the Chinese edition never shows an English hint and
``str.format`` never fails on one.
"""

import ast
import re
import string
from pathlib import Path

import numpy as np
import pytest

from mmteach import exercises
from mmteach.exercises import Hint
from mmteach.exercises.zh_CN import TEMPLATES

PACKAGE = Path(exercises.__file__).parent
CHAPTERS = sorted(PACKAGE.glob("ch*.py"))


@pytest.fixture(autouse=True)
def english_unless_set(monkeypatch):
    """Each test starts in English with MMTEACH_LANGUAGE unset; the setting is restored after."""
    monkeypatch.delenv("MMTEACH_LANGUAGE", raising=False)
    previous = exercises.set_language(None)
    yield
    exercises.set_language(previous)


# --- the templates, found in the source ----------------------------------------------------


def hint_calls(path, names=("Hint",)):
    """``(line, template or None, keyword names, first-argument node)`` of each call to ``names``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    constants[target.id] = node.value.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            first = node.args[0] if node.args else None
            template = None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                template = first.value
            elif isinstance(first, ast.Name):
                template = constants.get(first.id)
            keywords = [k.arg for k in node.keywords]
            yield node.lineno, template, keywords, first


def fields(template):
    """The ``(name, conversion, format spec)`` of each replacement field of ``template``."""
    return {(f, c, s) for _, f, s, c in string.Formatter().parse(template) if f is not None}


LEFTOVER = re.compile(r"(?<!\{)\{[A-Za-z_][\w.]*(\[[^{}]*\])?(![rsa])?(:[^{}]*)?\}")


def chapter_templates():
    found = []
    for path in CHAPTERS:
        for line, template, keywords, _ in hint_calls(path):
            if template is not None:
                found.append(pytest.param(template, keywords, id=f"{path.stem}:{line}"))
    return found


def framework_templates():
    return [t for _, t, _, _ in hint_calls(PACKAGE / "__init__.py", ("Hint", "_text")) if t]


def test_every_chapter_hint_is_a_template():
    # f-strings, .format() and concatenations would be looked up as a different string each time
    wrong = []
    for path in CHAPTERS:
        for line, template, keywords, first in hint_calls(path):
            if template is None or None in keywords:  # None: a **splat of fields
                wrong.append(f"{path.name}:{line}: {ast.unparse(first)[:60]}")
    assert not wrong, "raise Hint('template {field}', field=value) instead of:\n" + "\n".join(wrong)


def test_the_templates_are_found():
    assert len(chapter_templates()) > 200
    assert "Correct!" in framework_templates() and "Not yet. Hint: {hint}" in framework_templates()


@pytest.mark.parametrize("template, keywords", chapter_templates())
def test_chapter_hint_has_chinese_template_with_the_same_fields(template, keywords):
    names = {name for name, _, _ in fields(template)}
    if keywords:
        assert all(n.isidentifier() for n in names), f"positional field in {template!r}"
        assert names == set(keywords), f"{template!r} is given {sorted(keywords)}"
    else:
        # without fields the template is shown as it is: a {name} in it is an f-string leftover
        assert not LEFTOVER.search(template), f"f-string leftover in {template!r}"
        assert "{{" not in template and "}}" not in template, f"doubled braces shown: {template!r}"
    assert template in TEMPLATES, f"no Chinese template for {template!r}"
    chinese = TEMPLATES[template]
    assert fields(chinese) == fields(template), (template, chinese)
    if keywords:
        values = dict.fromkeys(names, 3)  # an int takes every spec used: .1%, .3f, g, ",", ...
        assert template.format(**values) and chinese.format(**values)


@pytest.mark.parametrize("template", framework_templates())
def test_framework_message_has_chinese_template(template):
    assert template in TEMPLATES, f"no Chinese template for {template!r}"
    assert fields(TEMPLATES[template]) == fields(template)


def test_the_catalogue_holds_no_stale_templates():
    used = set(framework_templates())
    for path in CHAPTERS:
        used |= {t for _, t, _, _ in hint_calls(path) if t}
    assert not set(TEMPLATES) - used, sorted(set(TEMPLATES) - used)[:5]


@pytest.mark.parametrize("english, chinese", list(TEMPLATES.items()), ids=range(len(TEMPLATES)))
def test_chinese_templates_follow_the_style(english, chinese):
    assert re.search(r"[\u4e00-\u9fff]", chinese), f"not translated: {chinese!r}"
    # a space between Chinese and Latin words, numbers, code and fields; Chinese punctuation
    assert not re.search(r"[\u4e00-\u9fff][A-Za-z0-9{`]|[A-Za-z0-9}`][\u4e00-\u9fff]", chinese), chinese
    assert not re.search(r"[\u4e00-\u9fff][,.;:?!]|[,;:?!] ?[\u4e00-\u9fff]", chinese), chinese


# --- Hint ------------------------------------------------------------------------------------


def test_hint_formats_its_fields_like_an_f_string():
    got, want, shape = [1, 2], 0.123456, (3, 4)
    hint = Hint(
        "expected {want:.3f} {shape}, got {got!r} ({share:.1%}).", want=want, shape=shape, got=got, share=0.25
    )
    assert str(hint) == f"expected {want:.3f} {shape}, got {got!r} ({0.25:.1%})."
    assert hint.args == (str(hint),) and hint.template.startswith("expected {want:.3f}")


def test_a_plain_hint_is_shown_as_it_is():
    text = "return a dict {'is_large': ..., 'is_red': ...}."
    assert str(Hint(text)) == text
    exercises.set_language("zh_CN")
    assert str(Hint(text)) == text  # no Chinese template: English


@pytest.mark.parametrize(
    "template, fields_, match",
    [
        ("got {} rows", {"n": 1}, "named fields"),
        ("got {0} rows", {"n": 1}, "named fields"),
        ("got {n} rows, want {want}", {"n": 1}, r"has the fields \['n', 'want'\], but was given \['n'\]"),
        ("got {n} rows", {"n": 1, "want": 2}, "but was given"),
    ],
)
def test_hint_refuses_templates_that_do_not_match_their_fields(template, fields_, match):
    with pytest.raises(ValueError, match=match):
        Hint(template, **fields_)


def test_hint_refuses_a_template_that_is_not_a_string():
    with pytest.raises(TypeError, match="a hint must be a str template, got int"):
        Hint(3)


def test_hint_message_in_a_given_language():
    hint = Hint("expected a function, got {fn_type} {fn!r}", fn_type="int", fn=3)
    assert hint.message("en") == "expected a function, got int 3"
    assert hint.message("zh_CN") == "应为一个函数，得到的是 int 3"
    with pytest.raises(ValueError, match="language must be one of"):
        hint.message("fr")


# --- the language setting --------------------------------------------------------------------


def test_english_is_the_default():
    assert exercises.language() == "en"
    assert exercises.LANGUAGES == ("en", "zh_CN")


def test_set_language_switches_and_returns_the_previous_setting():
    assert exercises.set_language("zh_CN") is None
    assert exercises.language() == "zh_CN"
    assert exercises.set_language("en") == "zh_CN"
    assert exercises.language() == "en"


@pytest.mark.parametrize("bad", ["fr", "zh", "zh-CN", "EN", "", 3, ["en"]])
def test_set_language_refuses_other_values(bad):
    with pytest.raises(ValueError, match=r"language must be one of \('en', 'zh_CN'\), got"):
        exercises.set_language(bad)
    assert exercises.language() == "en"


def test_the_environment_variable_chooses_the_default(monkeypatch):
    monkeypatch.setenv("MMTEACH_LANGUAGE", "zh_CN")
    assert exercises.language() == "zh_CN"
    assert exercises.check("ch1-text-ceiling", lambda p, k: 0.5, quiet=True).message.startswith("还不对")
    exercises.set_language("en")  # an explicit setting wins over the environment
    assert exercises.language() == "en"
    exercises.set_language(None)  # and None follows the environment again
    assert exercises.language() == "zh_CN"


def test_a_bad_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv("MMTEACH_LANGUAGE", "klingon")
    with pytest.raises(ValueError, match="the environment variable MMTEACH_LANGUAGE must be one of"):
        exercises.language()


# --- real wrong answers, in both languages ---------------------------------------------------


def raised_hint(exercise, answer):
    checker_function = exercises._CHECKERS[exercise][0]
    with pytest.raises(Hint) as caught:
        checker_function(answer)
    return caught.value


WRONG_ANSWERS = [
    ("ch1-text-ceiling", lambda p, k: 1 - p),  # forgot the guesses
    ("ch1-text-ceiling", lambda p, k: 0.5),  # numbers with a format spec
    ("ch1-shuffle-together", lambda im, cap, s: (im, im)),  # shapes in the hint
    ("ch3-match-ceiling", lambda pi, pc: (1 - pi) * (1 - pc)),
    ("ch3-dropout-mask", lambda n, m, rate, seed: np.ones((m, n))),
    ("ch12-adam-memory", lambda n, b=4: 5 * n * b),  # {n:,} and {want:,.0f}
    ("ch12-steps", lambda n, per, r: n // (per * r) * r),
]


@pytest.mark.parametrize("exercise, answer", WRONG_ANSWERS)
def test_a_wrong_answer_gets_the_hint_in_the_current_language(exercise, answer):
    hint = raised_hint(exercise, answer)
    english = exercises.check(exercise, answer, quiet=True)
    assert english.status == "wrong"
    assert english.message == "Not yet. Hint: " + hint.template.format(**hint.fields)
    exercises.set_language("zh_CN")
    chinese = exercises.check(exercise, answer, quiet=True)
    assert chinese.status == "wrong"
    assert chinese.message == "还不对。提示：" + TEMPLATES[hint.template].format(**hint.fields)
    assert chinese.message != english.message


def test_chinese_hints_read_as_expected():
    exercises.set_language("zh_CN")
    assert str(exercises.check("ch1-text-ceiling", lambda p, k: 0.5, quiet=True)) == (
        "❌ [ch1-text-ceiling] 还不对。提示：当 p_silent=0.3、n_classes=4 时，应为 0.7750，得到的是 0.5。"
    )
    result = exercises.check("ch3-dropout-mask", lambda n, m, rate, seed: np.ones((m, n)), quiet=True)
    assert result.message == (
        "还不对。提示：请每个样本一行、每个模态一列：形状为 (20000, 3)；得到的是 (3, 20000)。"
    )


def test_framework_messages_in_chinese(capsys):
    exercises.set_language("zh_CN")
    assert exercises.check("ch1-text-ceiling", exercises.reference_answer("ch1-text-ceiling"))
    assert capsys.readouterr().out == "✅ [ch1-text-ceiling] 正确！\n"
    stub = exercises.check("ch1-text-ceiling", ..., quiet=True)
    assert stub.message == "尚未作答：请把 `...` 换成你的代码。"
    crash = exercises.check("ch1-text-ceiling", lambda p, k: 1 / 0, quiet=True)
    assert crash.message == "你的代码抛出了 ZeroDivisionError：division by zero"
    not_a_function = exercises.check("ch1-text-ceiling", 3, quiet=True)
    assert not_a_function.message == "还不对。提示：应为一个函数，得到的是 int 3"
    with pytest.raises(ValueError, match="未知的练习 'ch1-nope'：应为以下之一："):
        exercises.check("ch1-nope", 1)
    with pytest.raises(TypeError, match="exercise 必须是练习编号"):
        exercises.describe(1)


def test_framework_messages_in_english_are_unchanged():
    assert exercises.check("ch1-text-ceiling", ..., quiet=True).message == (
        "Not attempted yet: replace the `...` with your code."
    )
    assert str(exercises.check("ch1-text-ceiling", lambda p, k: 1 - p, quiet=True)).startswith(
        "❌ [ch1-text-ceiling] Not yet. Hint: when the modality is silent"
    )
    with pytest.raises(ValueError, match="unknown exercise 'ch1-nope': expected one of"):
        exercises.check("ch1-nope", 1)
