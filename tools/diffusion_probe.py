"""How far pixel-space diffusion gets in chapter 7's budget: ``python tools/diffusion_probe.py``.

Chapter 7 trains its diffusion model in the CVAE's latent space, because a diffusion model
on 16x16 pixels needs far more training than a one-minute chapter allows. This probe
measures that claim on the chapter's own data: it trains ``generation.Diffusion`` for each
budget of steps given on the command line (default 300 600 1200), then judges 64
validation captions x 4 samples at guidance 0, 1 and 3, with the chapter's judge. It prints
the training time, the consistency (and its share of the judge's ceiling on real images),
the share of samples with the stated shape and colour, and the position diversity. A
figure for an issue's note, never a test: a faster machine trains more steps per second.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import mmteach
from mmteach import datasets, metrics
from mmteach.preprocessing import CaptionVectorizer

with mmteach.native_logs_silenced():
    import keras

    from mmteach import generation


def main(budgets):
    keras.utils.set_random_seed(0)
    silence = {"image": 0.0, "caption": {"shape": 0.0, "colour": 0.0, "size": 0.5, "position": 0.5}}
    scenes = datasets.make_scenes(5000, seed=0, silence=silence)
    train, val, _ = datasets.train_val_test_split(scenes, sizes=(0.8, 0.08, 0.12))
    attrs = list(datasets.ATTRIBUTES)
    vectorizer = CaptionVectorizer(max_len=14).fit(train.captions)
    shape = (16, 16, 3)
    x_train, x_val = generation.downsample(train.images, 2), generation.downsample(val.images, 2)
    said = ~val.silent["caption"][attrs].to_numpy()
    stated = val.labels[attrs].where(said, -1)

    judge = generation.attribute_judge(shape, {a: len(v) for a, v in datasets.ATTRIBUTES.items()})
    judge.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy")
    generation.fit_steps(judge, x_train, {a: train.labels[a].to_numpy() for a in attrs}, steps=600)
    ceiling = metrics.text_image_consistency(generation.judge_attributes(judge, x_val), stated)

    n_captions, n_samples = 64, 4
    rows = np.repeat(np.arange(n_captions), n_samples)
    says = stated.iloc[:n_captions].reset_index(drop=True).loc[rows].reset_index(drop=True)
    open_ = (says["position"] < 0).to_numpy()
    print(f"judge's consistency on real validation images (the ceiling): {ceiling:.3f}")
    print("| steps | train s | guidance | consistency | share of ceiling | shape right | colour right "
          "| position diversity |")
    print("|---|---|---|---|---|---|---|---|")
    for steps in budgets:
        keras.utils.set_random_seed(0)
        model = generation.Diffusion(shape, vectorizer, channels=16)
        start = time.perf_counter()
        model.fit(x_train, train.captions, steps=steps, learning_rate=3e-3)
        seconds = time.perf_counter() - start
        for w in (0.0, 1.0, 3.0):
            captions = val.captions[:n_captions]
            images = model.generate(captions, n_samples=n_samples, guidance=w, sampling_steps=10)
            judged = generation.judge_attributes(judge, images)
            consistency = metrics.text_image_consistency(judged, says)
            right = {a: float(np.mean(judged[a] == says[a])) for a in ("shape", "colour")}
            positions = judged["position"][open_]
            diversity = metrics.attribute_diversity(positions, rows[open_], n_classes=4).entropy
            print(
                f"| {steps} | {seconds:.1f} | {w:g} | {consistency:.3f} | {consistency / ceiling:.1%} "
                f"| {right['shape']:.3f} | {right['colour']:.3f} | {diversity:.2f} |"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 600, 1200])
