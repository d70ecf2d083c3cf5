"""mmteach: the helper package of the book *Multimodal and Cross-Modal Deep Learning*.

One import gives the chapters what they need; each helper's docstring says which
chapter introduces it. Modules, one per concern:

- :mod:`mmteach.datasets` -- the Shapes world (Chapter 1)
- :mod:`mmteach.plotting` -- pictures and audio players (Chapter 1 onwards)
- :mod:`mmteach.exercises` -- automatic checkers for the exercises (Chapter 1 onwards)
- :mod:`mmteach.preprocessing` -- per-modality pipelines, joins, tf.data (Chapter 2)
- :mod:`mmteach.models` -- encoders and fusion builders (Chapter 3)
- :mod:`mmteach.training` -- optimisers from scratch and a training loop (Chapter 4)
- :mod:`mmteach.metrics` -- metrics written plainly, with intervals and ablations (Chapter 5)
"""

__version__ = "0.1.0"

#: The one canonical home of the book; ``_config.yml`` and every chapter's Colab badge
#: and install cell use the same repository (a test checks that they agree).
REPOSITORY_URL = "https://github.com/mmteach/mmteach"
BRANCH = "main"


def glue(name: str, value, *, display: bool = False):
    """Record ``value`` under ``name`` for the book's prose (myst-nb ``glue``).

    The prose then quotes it with ``{glue:text}`name``` so no number is typed by
    hand. Where myst-nb is not installed (Colab), the value is printed instead when
    ``display`` is true. Returns ``value``. Introduced in Chapter 1.

    >>> glue("answer", 42)
    42
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier-like string, got {name!r}")
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # numpy scalars print as np.float64(...); the prose wants 0.925
    try:
        from myst_nb import glue as _myst_glue
    except ImportError:
        if display:
            print(f"{name} = {value}")
        return value
    _myst_glue(name, value, display=display)
    return value
