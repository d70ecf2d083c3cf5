"""A local Sphinx extension with small fixes for Jupyter Book 1 pages.

sphinx-thebe 0.3.1 adds its inline ``const THEBE_JS_URL = ...`` script twice (once with
filename ``None``, once with ``''``, so Sphinx does not see them as equal), and every page
raised "Identifier 'THEBE_JS_URL' has already been declared". Identical scripts are kept once.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = dict(getattr(script, "attributes", {}))
        key = (getattr(script, "filename", None) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax) add to this same list


def setup(app):
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
