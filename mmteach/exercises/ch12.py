"""The Chapter 12 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, call, checker, reference  # noqa: F401

# --- ch12-power-law --------------------------------------------------------------------


@reference("ch12-power-law")
def fit_power_law(x, loss):
    slope, intercept = np.polyfit(np.log(x), np.log(loss), 1)
    return float(np.exp(intercept)), float(-slope)


@checker("ch12-power-law", "fit_power_law(x, loss) -> (a, b) with loss ~ a * x ** -b")
def _ch12_power_law(fn):
    rng = np.random.default_rng(0)
    x = np.array([100.0, 300.0, 1000.0, 3000.0, 10000.0])
    a, b = 7.0, 0.4
    loss = a * x**-b * np.exp(rng.normal(0, 0.01, len(x)))
    out = call(fn, x, loss)
    try:
        got_a, got_b = (float(v) for v in out)
    except (TypeError, ValueError):
        raise Hint("return the pair (a, b), two numbers; got {out!r}.", out=out) from None
    want_a, want_b = fit_power_law(x, loss)
    if _close(got_b, -want_b, 1e-3):
        raise Hint("the law is loss = a * x ** -b, so b is minus the slope in log-log axes: b > 0.")
    if _close(got_a, np.log(want_a), 1e-3) or _close(got_a, np.log10(want_a), 1e-3):
        raise Hint("a is the loss at x = 1: exp(intercept), not the intercept itself.")
    if _close(got_a, np.exp(np.log10(want_a)), 1e-3) or _close(got_a, 10 ** np.log(want_a), 1e-3):
        raise Hint(
            "mixed logarithms: with natural logs, a = exp(intercept); with log10, a = 10 ** intercept."
        )
    if not _close(got_b, want_b, 1e-3):
        raise Hint(
            "for these points b should be about {want_b:.3f}, got {got_b:.3f}: fit a straight line "
            "to log(loss) against log(x) (np.polyfit(..., 1)); on linear axes a power law is not a line.",
            want_b=want_b,
            got_b=got_b,
        )
    if not _close(got_a, want_a, 1e-3):
        raise Hint("b is right; a should be about {want_a:.3f}, got {got_a:.3f}.", want_a=want_a, got_a=got_a)


# --- ch12-adam-memory ------------------------------------------------------------------


@reference("ch12-adam-memory")
def adam_training_bytes(n_params, bytes_per_number=4):
    copies = 4  # weights, gradients, Adam's first and second moments
    return n_params * copies * bytes_per_number


@checker(
    "ch12-adam-memory",
    "adam_training_bytes(n_params, bytes_per_number=4): memory for weights, gradients and Adam",
)
def _ch12_adam_memory(fn):
    for n, width in ((1000, 8), (13_000_000_000, 4), (7, 2)):
        got = call(fn, n, width)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise Hint("return a number of bytes, got {got!r}.", got=got) from None
        want = 4 * n * width
        if got == want:
            continue
        if got == n * width:
            raise Hint("that is the weights alone: training also keeps a gradient per weight.")
        if got == 2 * n * width:
            raise Hint("weights and gradients, yes; Adam also keeps two running averages per weight.")
        if got == 3 * n * width:
            raise Hint("Adam keeps *two* running averages per weight: the mean and the mean square.")
        if got == 4 * n:
            raise Hint("multiply by the bytes per number (4 for float32, 2 for float16).")
        raise Hint(
            "for {n:,} weights of {width} bytes, expected {want:,.0f} bytes; got {got:,.0f}.",
            n=n,
            width=width,
            want=want,
            got=got,
        )


# --- ch12-steps --------------------------------------------------------------------------


@reference("ch12-steps")
def steps_per_epoch(n_examples, per_replica_batch, n_replicas):
    global_batch = per_replica_batch * n_replicas
    return n_examples // global_batch


@checker("ch12-steps", "steps_per_epoch(n_examples, per_replica_batch, n_replicas): whole global batches")
def _ch12_steps(fn):
    for n, per, replicas in ((1_281_167, 64, 8), (1000, 32, 2), (100, 64, 1), (90, 64, 2)):
        got = call(fn, n, per, replicas)
        want = n // (per * replicas)
        if got == want and float(got).is_integer():
            continue
        if got == n // per:
            raise Hint(
                "each step consumes one batch on *every* replica: the global batch is per_replica_batch "
                "* n_replicas, so there are fewer steps, not the same number."
            )
        if got == n // (per * replicas) + 1 or got == -(-n // (per * replicas)):
            raise Hint("count whole global batches only (the last, smaller one is dropped): use //.")
        if not float(got).is_integer():
            raise Hint("a number of steps is a whole number: use // rather than /.")
        raise Hint(
            "for {n} examples, {per} per replica on {replicas} replicas: expected {want}, got {got}.",
            n=n,
            per=per,
            replicas=replicas,
            want=want,
            got=got,
        )
