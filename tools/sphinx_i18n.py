"""A local Sphinx extension for the book's translated editions (the Chinese edition).

Sphinx's gettext workflow translates a page by parsing each translated message on its own.
With Jupyter Book 1 and myst-nb that leaves four gaps, each closed here:

- ``{glue:text}`` roles inside a translated sentence find no glue data (the message is parsed
  outside its notebook) and render empty: the role falls back to the page's glue file, which
  myst-nb writes while it reads the notebook, before the translation step.
- sphinx-exercise's exercise titles carry no source, so gettext skips them: the title gets the
  directive's source, line and raw text, and is extracted and translated like any sentence.
- The part captions of ``_toc.yml`` are extracted, but inserted after the translation step:
  they are translated here, from the root page's catalogue.
- Every page links to the same page in the other edition (``mmteach_editions``).
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.domain import NbGlueDomain
from myst_nb.ext.glue.roles import PasteTextRole
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.i18n import docname_to_domain
from sphinx_exercise.directive import ExerciseDirective, ExerciseStartDirective
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, exercise_subtitle


class _GlueStub:
    """Just enough of myst-nb's renderer for ``retrieve_glue_data`` to read a glue file."""

    def __init__(self, glue_data):
        self.renderer = type("R", (), {"nb_client": type("C", (), {"glue_data": glue_data})})


class TranslatedPasteTextRole(PasteTextRole):
    """``{glue:text}`` that also works inside a translated message."""

    def run(self):
        document = self.document
        if "nb_renderer" in document or not hasattr(document.settings, "env"):
            return super().run()
        env = document.settings.env
        folder = Path(env.mystnb_config.output_folder)
        glue_file = folder.joinpath(*env.docname.split("/")).with_suffix(".glue.json")
        if not glue_file.exists():
            return super().run()
        document["nb_renderer"] = _GlueStub(json.loads(glue_file.read_text("utf8")))
        try:
            return super().run()
        finally:
            del document["nb_renderer"]


def _with_translatable_title(directive_class):
    class Directive(directive_class):
        def run(self):
            result = super().run()
            for node in result:
                for subtitle in node.findall(exercise_subtitle):
                    subtitle.source, subtitle.line = self.get_source_info()
                    subtitle.rawsource = self.arguments[0] if self.arguments else ""
                    subtitle.parent["translatable"] = False  # the subtitle is the message
            return result

    Directive.__name__ = directive_class.__name__
    return Directive


class _Message(nodes.Element, addnodes.translatable):
    """One message for the gettext builder: the title of an exercise."""

    def preserve_original_messages(self):
        pass

    def apply_translated_message(self, original_message, translated_message):
        pass

    def extract_original_messages(self):
        return [self["message"]]


class ExtractExerciseTitles(SphinxPostTransform):
    """Hand exercise titles to the gettext builder before sphinx-exercise flattens them.

    sphinx-exercise rebuilds each title at priority 20 from nodes without a source, which the
    gettext builder skips; the titles are translated while reading, which already works.
    """

    default_priority = 10
    builders = ("gettext",)

    def run(self, **kwargs):
        for subtitle in list(self.document.findall(exercise_subtitle)):
            if subtitle.rawsource:
                message = _Message(message=subtitle.rawsource)
                message.source, message.line = subtitle.source, subtitle.line
                message.uid = getattr(subtitle, "uid", "")  # the builder skips nodes without
                self.document.append(message)


class TranslatedExerciseForSolutions(SphinxPostTransform):
    """Solutions copy their exercise's title from sphinx-exercise's registry, which holds the
    exercise as first parsed (in English). Before titles are resolved (priority 20), point the
    registry at a copy of the exercise as translated on this page."""

    default_priority = 19

    def run(self, **kwargs):
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        kinds = (exercise_node, exercise_enumerable_node)
        for node in self.document.findall(lambda n: isinstance(n, kinds)):
            entry = registry.get(node.get("label"))
            if entry is not None and entry.get("docname") == self.env.docname:
                entry["node"] = node.deepcopy()


def _translate_toc_captions(app, doctree):
    """Translate the part captions that sphinx-external-toc inserted after the Locale step."""
    if not app.config.language or app.config.language == "en":
        return
    toctrees = [t for t in doctree.findall(addnodes.toctree) if t.get("caption")]
    if not toctrees:
        return
    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    catalog, found = init_locale(dirs, app.config.language, domain)
    if not found:
        return
    for toctree in toctrees:
        translated = catalog.gettext(toctree["caption"])
        if translated:
            toctree["caption"] = translated


def _edition_link(app, pagename, templatename, context, doctree):
    """Link each page to the same page in the other edition."""
    editions = app.config.mmteach_editions
    if not editions:
        return
    here = app.config.language or "en"
    up = "../" * pagename.count("/")
    links, alternates = [], []
    for language, (label, prefix) in editions.items():
        if language == here:
            continue
        own_prefix = editions.get(here, ("", ""))[1]
        # from this edition's root back to the site's root, then into the other edition
        root = up + "../" * own_prefix.count("/")
        href = f"{root}{prefix}{pagename}.html"
        hreflang = language.replace("_", "-")
        links.append(
            f'<a class="mmteach-edition-link" href="{href}" hreflang="{hreflang}" '
            f'lang="{hreflang}">{label}</a>'
        )
        alternates.append(f'<link rel="alternate" hreflang="{hreflang}" href="{href}" />')
    if links and "body" in context:
        context["body"] = '<p class="mmteach-edition">' + " ".join(links) + "</p>\n" + context["body"]
        context["metatags"] = context.get("metatags", "") + "\n".join(alternates)


_COVERAGE_HEADERS = {
    "en": ("edition", "page", "messages", "translated", "coverage"),
    "zh_CN": ("版本", "页面", "消息数", "已翻译", "覆盖率"),
}
_PENDING = {"en": "not translated yet", "zh_CN": "尚未翻译"}
_ENGLISH = {"en": "English by design", "zh_CN": "保留英文"}


class TranslationCoverage(SphinxDirective):
    """A table of the translated editions' coverage, page by page, from the catalogues.

    ``python tools/i18n.py extract`` (run by ``make book``) writes
    ``_build/i18n/coverage.json``; without it the table says that it was not measured.
    """

    def run(self):
        path = Path(self.env.srcdir, "_build", "i18n", "coverage.json")
        self.env.note_dependency(str(path))
        language = self.config.language if self.config.language in _COVERAGE_HEADERS else "en"
        if not path.exists():
            # not a message to translate: `make book` measures coverage before it builds
            note = "Translation coverage was not measured in this build."
            return [nodes.paragraph(text=note, translatable=False)]
        report = json.loads(path.read_text("utf8"))
        table = nodes.table(classes=["translation-coverage"])
        group = nodes.tgroup(cols=5)
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in range(5))
        head, body = nodes.thead(), nodes.tbody()
        group += head
        group += body
        head += self._row(_COVERAGE_HEADERS[language])
        for edition, pages in report.items():
            for page, row in pages.items():
                share = row["translated"] / row["messages"] if row["messages"] else 1.0
                if row.get("english"):
                    state = _ENGLISH[language]
                elif row["pending"]:
                    state = _PENDING[language]
                else:
                    state = f"{share:.0%}"
                body += self._row((edition, page, str(row["messages"]), str(row["translated"]), state))
        return [table]

    @staticmethod
    def _row(cells):
        row = nodes.row()
        for text in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            row += entry
        return row


def setup(app):
    # {language: (link label, path prefix of that edition from the site's root)}
    app.add_config_value("mmteach_editions", {}, "html")
    NbGlueDomain.roles["text"] = TranslatedPasteTextRole()
    app.add_directive("exercise", _with_translatable_title(ExerciseDirective), override=True)
    app.add_directive("exercise-start", _with_translatable_title(ExerciseStartDirective), override=True)
    app.add_post_transform(ExtractExerciseTitles)
    app.add_post_transform(TranslatedExerciseForSolutions)
    app.connect("doctree-read", _translate_toc_captions, priority=900)
    app.connect("html-page-context", _edition_link)
    app.add_directive("translation-coverage", TranslationCoverage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
