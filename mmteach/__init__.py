"""mmteach: the helper package of the book *Multimodal and Cross-Modal Deep Learning*.

One import gives the chapters what they need; each helper's docstring says which
chapter introduces it. Modules, one per concern:

- :mod:`mmteach.datasets` -- the Shapes world (Chapter 1) and the Free Spoken Digit Dataset (Chapter 9)
- :mod:`mmteach.plotting` -- pictures and audio players (Chapter 1 onwards)
- :mod:`mmteach.exercises` -- automatic checkers for the exercises (Chapter 1 onwards)
- :mod:`mmteach.preprocessing` -- per-modality pipelines, joins, tf.data (Chapter 2)
- :mod:`mmteach.models` -- encoders and fusion builders (Chapter 3)
- :mod:`mmteach.training` -- optimisers from scratch and a training loop (Chapter 4)
- :mod:`mmteach.metrics` -- metrics written plainly, with intervals and ablations (Chapter 5)
- :mod:`mmteach.captioning` -- image to text: captioners, decoding, content and hallucination (Chapter 6)
- :mod:`mmteach.generation` -- text to image: regression, a conditional VAE, diffusion, a judge (Chapter 7)
- :mod:`mmteach.retrieval` -- dual encoders, InfoNCE, search and zero-shot prompts (Chapter 8)
- :mod:`mmteach.speech` -- real speech: features, CTC speech to text (Chapters 9 and 10)
- :mod:`mmteach.transformer` -- transformer blocks, cross-attention, projectors (Chapters 11 and 12)
- :mod:`mmteach.classroom` -- student notebooks and a grader (the instructor guide)
"""

import contextlib
import logging
import os
import sys

__version__ = "0.1.0"

#: The one canonical home of the book; ``_config.yml`` and every chapter's Colab badge
#: and install cell use the same repository (a test checks that they agree).
REPOSITORY_URL = "https://github.com/mmteach/mmteach"
BRANCH = "main"


class _RetracingNotice(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" notice.

    The chapters build many small models on purpose, and ``train()`` or ``predict`` compile a
    step for each; TensorFlow counts these as one function traced again and again and prints a
    performance hint that would mislead a reader. Nothing else TensorFlow logs is filtered.
    """

    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_RetracingNotice())


@contextlib.contextmanager
def native_logs_silenced():
    """Silence what C++ libraries write to the process's stderr inside the ``with`` block.

    TensorFlow prints start-up lines (absl and oneDNN notices) straight to file descriptor 2
    when it is first imported; ``TF_CPP_MIN_LOG_LEVEL`` does not reach all of them. Every
    chapter's setup cell imports Keras inside this block, so neither the book nor a Colab
    reader sees them. Python's own warnings and errors are not affected after the block.
    Introduced in Chapter 1.

    >>> with native_logs_silenced():
    ...     x = 1 + 1
    >>> x
    2
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


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
