"""Generate PIL goldens for SharpGrad's image resampling, fastai-style item transforms and EXIF orientation.

What it writes (next to this file)
----------------------------------
* ``photo_rgb.png`` (219x163 RGB: smooth gradients, soft blobs and sensor-like noise, a stand-in for a photo),
  ``lineart_l.png`` (219x163 grey: one-pixel lines, a fine checkerboard and hard edges).
* ``resize_<input>_<W>x<H>.png``: ``Image.resize((W, H), Image.BILINEAR)`` of each input (PIL's antialiased
  bilinear: shrinks by 1.5x, 3x and 7.3x, an enlargement, and a shrink in one axis with an enlargement in the other).
* ``tfm_<name>.png``: fastai's item transforms on ``photo_rgb.png``, computed with PIL crop/resize and numpy padding
  exactly as fastai 2.7's ``Resize``/``RandomResizedCrop``/``CropPad`` do (``crop_pad`` with torchvision's ``pad``,
  which for PIL images is ``numpy.pad`` in 'reflect'/'edge'/'constant' mode). fastai itself is not installed here, so
  its arithmetic is restated below from its source; the pixels come from PIL and numpy.
* ``exif_<n>.jpg`` (orientation tag n = 1..8 on the same 40x24 picture) and ``exif_<n>.png``, the result of
  ``ImageOps.exif_transpose`` (what a viewer shows).
* ``cmyk.jpg`` and ``cmyk_progressive.jpg`` (the photo converted to CMYK and saved by PIL, which writes an Adobe
  marker and inverted samples) and ``cmyk.png``/``cmyk_progressive.png``: ``Image.open(f).convert('RGB')``.

How to run: ``/usr/bin/python3 tests/assets/resize/generate_resize_assets.py`` (Debian's python3-pil and
python3-numpy). Deterministic; CI only reads the committed files.
"""
import math
import os

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def save(img, name):
    img.save(os.path.join(HERE, name))


def photo():
    h, w = 163, 219
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 120 + 100 * np.sin(x / 37.0) * np.cos(y / 29.0)
    g = 60 + 150 * (x + y) / (w + h)
    b = 200 - 150 * np.exp(-((x - 140) ** 2 + (y - 60) ** 2) / 900.0)
    for cx, cy, s, a in [(40, 120, 15, 90), (180, 140, 25, -70), (100, 30, 8, 110)]:
        blob = a * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
        r, g, b = r + blob, g + 0.5 * blob, b - 0.3 * blob
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def lineart():
    h, w = 163, 219
    a = np.full((h, w), 255, np.uint8)
    a[::7, :] = 0                      # one-pixel horizontal lines
    a[:, ::11] = 30                    # vertical lines
    a[100:140, 20:80] = (np.indices((40, 60)).sum(axis=0) % 2) * 255  # pixel checkerboard
    a[20:60, 150:200] = 0              # a filled block with hard edges
    for i in range(min(h, w)):         # a diagonal
        a[i, i] = 0
    return Image.fromarray(a, "L")


# ---- fastai 2.7 item transforms, restated (sizes are (w, h) tuples as fastai holds them) ----

def crop_pad(img, sz, tl, pad_mode="constant", resize_to=None):
    """fastai's _do_crop_pad for PIL images."""
    ow, oh = img.size
    if tl[0] >= 0 or tl[1] >= 0:
        c = (max(tl[0], 0), max(tl[1], 0))
        img = img.crop((c[0], c[1], min(c[0] + sz[0], ow), min(c[1] + sz[1], oh)))
    if tl[0] < 0 or tl[1] < 0:
        p = (max(-tl[0], 0), max(-tl[1], 0))
        f = (max(sz[0] - ow - p[0], 0), max(sz[1] - oh - p[1], 0))
        a = np.asarray(img)
        widths = ((p[1], f[1]), (p[0], f[0])) + (((0, 0),) if a.ndim == 3 else ())
        a = np.pad(a, widths, mode=pad_mode)
        img = Image.fromarray(a, img.mode)
    if resize_to is not None:
        img = img.resize(resize_to, Image.BILINEAR)
    return img


def resize_tfm(img, size, method, pcts, pad_mode="reflect"):
    w, h = img.size
    if method == "squish":
        return crop_pad(img, (w, h), (0, 0), pad_mode, resize_to=size)
    lt = (lambda a, b: a < b) if method == "crop" else (lambda a, b: a > b)
    m = w / size[0] if lt(w / size[0], h / size[1]) else h / size[1]
    cp = (int(m * size[0]), int(m * size[1]))
    tl = (int(pcts[0] * (w - cp[0])), int(pcts[1] * (h - cp[1])))
    return crop_pad(img, cp, tl, pad_mode, resize_to=size)


def rrc_valid(img, size, val_xtra=0.14):
    xtra = math.ceil(max(size) * val_xtra / 8) * 8
    final = (size[0] + xtra, size[1] + xtra)
    res = crop_pad(img, img.size, (0, 0), resize_to=final)
    fw, fh = res.size
    return crop_pad(res, size, ((fw - size[0]) // 2, (fh - size[1]) // 2))


def center_crop(img, size, pad_mode="constant"):
    w, h = img.size
    return crop_pad(img, size, ((w - size[0]) // 2, (h - size[1]) // 2), pad_mode)


def main():
    p, l = photo(), lineart()
    save(p, "photo_rgb.png")
    save(l, "lineart_l.png")
    for name, img in [("photo_rgb", p), ("lineart_l", l)]:
        for size in [(146, 109), (73, 54), (30, 22), (372, 277), (100, 250), (219, 80)]:
            save(img.resize(size, Image.BILINEAR), f"resize_{name}_{size[0]}x{size[1]}.png")
    # Item transforms on the photo; sizes (w, h). Training crops use fixed pcts (0.2, 0.7) and a fixed box.
    save(resize_tfm(p, (64, 64), "crop", (0.5, 0.5)), "tfm_resize_crop_valid_64.png")
    save(resize_tfm(p, (64, 64), "crop", (0.2, 0.7)), "tfm_resize_crop_train_64.png")
    save(resize_tfm(p, (48, 80), "crop", (0.5, 0.5)), "tfm_resize_crop_valid_w48_h80.png")
    save(resize_tfm(p, (64, 64), "pad", (0.5, 0.5), "reflect"), "tfm_resize_pad_reflect_64.png")
    save(resize_tfm(p, (64, 64), "pad", (0.5, 0.5), "constant"), "tfm_resize_pad_zeros_64.png")
    save(resize_tfm(p, (64, 64), "pad", (0.2, 0.7), "reflect"), "tfm_resize_pad_reflect_train_64.png")
    save(resize_tfm(p, (64, 64), "squish", None), "tfm_resize_squish_64.png")
    save(rrc_valid(p, (64, 64)), "tfm_rrc_valid_64.png")
    save(crop_pad(p, (90, 70), (30, 50), resize_to=(64, 64)), "tfm_rrc_train_box_64.png")  # box (30,50)+(90x70)
    save(center_crop(p, (100, 100)), "tfm_center_crop_100.png")
    save(center_crop(p, (250, 200)), "tfm_center_crop_pad_250x200.png")
    # EXIF orientation: a 40x24 picture with a distinct corner, saved with each tag.
    a = np.zeros((24, 40, 3), np.uint8)
    a[:, :, 0] = np.linspace(0, 255, 40)[None, :]
    a[:, :, 1] = np.linspace(0, 255, 24)[:, None]
    a[:6, :10] = (255, 255, 255)
    base = Image.fromarray(a, "RGB")
    for n in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = n
        path = os.path.join(HERE, f"exif_{n}.jpg")
        base.save(path, quality=92, exif=exif.tobytes())
        save(ImageOps.exif_transpose(Image.open(path)), f"exif_{n}.png")
    # CMYK JPEGs, baseline and progressive.
    for name, progressive in [("cmyk", False), ("cmyk_progressive", True)]:
        path = os.path.join(HERE, f"{name}.jpg")
        p.crop((0, 0, 96, 64)).convert("CMYK").save(path, quality=90, progressive=progressive)
        save(Image.open(path).convert("RGB"), f"{name}.png")


if __name__ == "__main__":
    main()
