"""An oracle that reads Shapes-world data with the generating rules in hand.

It decodes every attribute from the raw observations (pixels, words, spectrum,
table cells), or says the modality is silent (-1). Its accuracy is the best any
model can do, so the tests compare it with the exact ceilings the generator reports.
"""

import itertools

import numpy as np

from mmteach import datasets as ds

SILENT = -1


def decode_image(images):
    n = len(images)
    fg = images.max(axis=-1) > 0.35
    white = images.min(axis=-1) > 0.8
    out = {a: np.full(n, SILENT) for a in ds.ATTRIBUTES}
    for i in range(n):
        rows = np.flatnonzero(fg[i].any(axis=1))
        cols = np.flatnonzero(fg[i].any(axis=0))
        if rows.size == 0:
            continue
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        cx, cy = (left + right) / 2, (top + bottom) / 2
        width = max(bottom - top, right - left)
        # position: the exact centre means "unknown"
        if abs(cx - 16) > 2 or abs(cy - 16) > 2:
            out["position"][i] = int(cy >= 16) * 2 + int(cx >= 16)
        # size: bounding boxes are 6-7 (small), 8-10 (unknown), 12-13 (large) pixels
        if width <= 7:
            out["size"][i] = 0
        elif width >= 11:
            out["size"][i] = 1
        # colour: the typical colour of the object, white tarp stripes excluded
        pix = images[i][fg[i] & ~white[i]]
        colour = np.median(pix, axis=0)
        candidates = np.vstack([ds.PALETTE, ds.GREY])
        k = int(np.argmin(((candidates - colour) ** 2).sum(axis=1)))
        out["colour"][i] = SILENT if k == 4 else k
        # shape: probe the mask at points that separate the four shapes
        if white[i].sum() > 3:
            continue
        mask = fg[i]
        h = width / 2

        def at(fx, fy, mask=mask, cx=cx, cy=cy, h=h):
            x = int(np.floor(cx + fx * h))
            y = int(np.floor(cy + fy * h))
            return bool(mask[min(max(y, 0), 31), min(max(x, 0), 31)])

        far = at(-0.85, -0.85) + at(0.85, -0.85) + at(-0.85, 0.85) + at(0.85, 0.85)
        top_mid = at(-0.55, -0.55) + at(0.55, -0.55)
        bottom_mid = at(-0.55, 0.55) + at(0.55, 0.55)
        if far >= 3:
            out["shape"][i] = 1  # square
        elif top_mid == 0 and bottom_mid >= 1:
            out["shape"][i] = 2  # triangle
        elif top_mid + bottom_mid >= 3:
            out["shape"][i] = 0  # circle
        else:
            out["shape"][i] = 3  # cross
    return out


def decode_caption(captions):
    n = len(captions)
    out = {a: np.full(n, SILENT) for a in ds.ATTRIBUTES}
    for i, text in enumerate(captions):
        words = f" {text.replace(',', ' ')} "
        for a, groups in ds._SYNONYMS.items():
            for k, synonyms in enumerate(groups):
                if any(f" {s} " in words for s in synonyms):
                    out[a][i] = k
    return out


def decode_sound(sounds):
    n = len(sounds)
    spec = np.abs(np.fft.rfft(sounds * np.hanning(sounds.shape[1]), axis=1))
    hz = np.fft.rfftfreq(sounds.shape[1], 1 / ds.SAMPLE_RATE)

    def mag(f):  # magnitude near frequency f (per row), allowing one bin of leakage
        f = np.broadcast_to(np.asarray(f, dtype=float), (n,))
        b = np.clip(np.round(f / hz[1]).astype(int), 1, len(hz) - 2)
        rows = np.arange(n)
        return np.maximum.reduce([spec[rows, b - 1], spec[rows, b], spec[rows, b + 1]])

    pitches = np.array(ds.PITCH_HZ + (ds.PITCH_SILENT_HZ,))
    strength = np.stack([mag(p) for p in pitches], axis=1)
    k = strength.argmax(axis=1)
    f0 = pitches[k]
    m1 = mag(f0)
    r2, r3, rbell = mag(2 * f0) / m1, mag(3 * f0) / m1, mag(2.76 * f0) / m1
    shape = np.where(
        rbell > 0.3,
        SILENT,
        np.where(r2 > 0.25, 3, np.where(r3 > 0.2, 1, np.where(r3 > 0.05, 2, 0))),
    )
    rms = np.sqrt((sounds.astype(float) ** 2).mean(axis=1))
    size = np.where(rms < 0.23, 0, np.where(rms > 0.38, 1, SILENT))
    return {
        "shape": shape,
        "colour": np.where(k == 4, SILENT, k),
        "size": size,
        "position": np.full(n, SILENT),
    }


def decode_table(table):
    n = len(table)
    area = table["area_cm2"].to_numpy(dtype=float)
    x = table["x_px"].to_numpy(dtype=float)
    y = table["y_px"].to_numpy(dtype=float)
    return {
        "shape": np.full(n, SILENT),
        "colour": np.full(n, SILENT),
        "size": np.where(np.isnan(area), SILENT, (area > 100).astype(int)),
        "position": np.where(np.isnan(x), SILENT, (y >= 16).astype(int) * 2 + (x >= 16)),
    }


def decode_all(scenes):
    return {
        "image": decode_image(scenes.images),
        "caption": decode_caption(scenes.captions),
        "sound": decode_sound(scenes.sounds),
        "table": decode_table(scenes.table),
    }


def oracle_predict(decoded, target, modalities, prior):
    """Any speaking modality gives the answer; if all are silent, guess the commonest class."""
    n = len(decoded["image"][target])
    pred = np.full(n, int(np.argmax(prior)))
    for m in modalities:
        said = decoded[m][target]
        pred = np.where(said != SILENT, said, pred)
    return pred


def all_subsets():
    for r in range(1, len(ds.MODALITIES) + 1):
        yield from itertools.combinations(ds.MODALITIES, r)
