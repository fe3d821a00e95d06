#!/usr/bin/python3
"""Writes the PNG test assets for SharpGrad.Data.Images and the pixels PIL decodes from each.

Run with the system Python (PIL 9.4, numpy):   /usr/bin/python3 generate_png_assets.py
Deterministic: fixed seeds, zlib level 9, no timestamps. Writes into ./assets next to this script:
  *.png          the test images
  expected.json  {name: {width, height, channels, pil_mode, pixels (base64 of the bytes of
                 Image.open(f).convert('L' or 'RGB')), other_pixels (the same for the other of 'L' and 'RGB')}};
                 'L' for PNG colour types 0 and 4, 'RGB' otherwise

Two sources of images:
  pil_*   written by PIL itself (every mode PIL can save as PNG)
  hand_*  written by hand here with zlib + struct, covering what PIL cannot write: every colour type x bit depth,
          every filter type (forced, cycling per row), Adam7 interlacing at odd sizes, split IDAT chunks,
          ancillary chunks, tRNS, short palettes.

  --check-encoded DIR   instead: for each DIR/*.png written by SharpGrad's encoder with a DIR/*.raw beside it
                        (the pixels it encoded), check that PIL decodes the PNG to exactly those pixels.
"""
import base64
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = HERE  # the script lives beside the assets it writes (tests/assets/png)

# (colour type, bit depth) combinations the PNG spec allows.
COMBOS = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8),
          (4, 8), (4, 16), (6, 8), (6, 16)]
SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(ctype, data):
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(ftype, row, prev, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev is not None else 0
        c = prev[i - bpp] if prev is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][ftype]
        out[i] = (row[i] - pred) & 0xFF
    return bytes(out)


def pack_row(samples, depth):
    """samples: 1-D sequence of ints for one scanline (all channels interleaved)."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in samples)
    if depth == 8:
        return bytes(int(v) for v in samples)
    per = 8 // depth
    out = bytearray((len(samples) + per - 1) // per)
    for i, v in enumerate(samples):
        out[i // per] |= int(v) << (8 - depth - (i % per) * depth)
    return bytes(out)


def scanlines(img, depth, bpp, filter_of_row):
    """img: H x W x S int array. Returns filtered scanlines (filter byte + data) as bytes."""
    out, prev = bytearray(), None
    for y in range(img.shape[0]):
        row = pack_row(img[y].reshape(-1), depth)
        f = filter_of_row(y)
        out.append(f)
        out += filter_row(f, row, prev, bpp)
        prev = row
    return bytes(out)


def make_png(img, ctype, depth, interlace=False, palette=None, trns=None, idat_splits=1,
             extra_before=(), extra_after=(), filter_offset=0):
    h, w, s = img.shape
    bpp = max(1, s * depth // 8)
    counter = [filter_offset]

    def next_filter(_y):
        counter[0] += 1
        return (counter[0] - 1) % 5

    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = img[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += scanlines(sub, depth, bpp, next_filter)
    else:
        raw = scanlines(img, depth, bpp, next_filter)
    z = zlib.compress(raw, 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, int(interlace)))
    for c in extra_before:
        out += c
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    # Split the zlib stream over several IDAT chunks, one of them empty when there are three or more.
    cuts = [len(z) * k // idat_splits for k in range(idat_splits + 1)]
    for k in range(idat_splits):
        out += chunk(b"IDAT", z[cuts[k]:cuts[k + 1]])
        if idat_splits >= 3 and k == 0:
            out += chunk(b"IDAT", b"")
    for c in extra_after:
        out += c
    return out + chunk(b"IEND", b"")


def sample_image(rng, h, w, ctype, depth):
    """Smooth gradients plus noise, with extremes, so every filter sees varied data."""
    s = SAMPLES[ctype]
    top = (1 << depth) - 1
    yy, xx = np.mgrid[0:h, 0:w]
    base = ((xx * 37 + yy * 53) % (top + 1)).astype(np.int64)
    img = np.stack([(base + c * (top // 3 + 1)) % (top + 1) for c in range(s)], axis=-1)
    noise = rng.integers(0, top + 1, size=img.shape)
    mask = rng.random(img.shape) < 0.4
    img = np.where(mask, noise, img)
    if depth == 16:
        # Many 16-bit samples below 256 too: PIL clamps 16-bit gray to 255 instead of taking the high byte.
        small = rng.integers(0, 256, size=img.shape)
        img = np.where(rng.random(img.shape) < 0.3, small, img)
    flat = img.reshape(-1)
    flat[0], flat[-1] = 0, top
    return img


def pil_expected(png_bytes):
    im = Image.open(io.BytesIO(png_bytes))
    im.load()
    # PIL opens 16-bit gray + alpha as RGBA, so go by the PNG colour type (IHDR byte 25), not the PIL mode.
    ctype = png_bytes[25]
    target = "L" if ctype in (0, 4) else "RGB"
    arr = np.asarray(im.convert(target), dtype=np.uint8)
    other = np.asarray(im.convert("RGB" if target == "L" else "L"), dtype=np.uint8)
    return im.mode, target, arr, other


def add(manifest, name, png_bytes):
    mode, target, arr, other = pil_expected(png_bytes)
    with open(os.path.join(ASSETS, name), "wb") as f:
        f.write(png_bytes)
    h, w = arr.shape[:2]
    manifest[name] = {
        "width": w,
        "height": h,
        "channels": 1 if target == "L" else 3,
        "pil_mode": mode,
        "pixels": base64.b64encode(arr.tobytes()).decode("ascii"),
        # PIL's conversion to the other mode ('RGB' for gray PNGs, 'L' for colour ones): checks ToRgb / ToGray.
        "other_pixels": base64.b64encode(other.tobytes()).decode("ascii"),
    }


def pil_png(im, **kw):
    b = io.BytesIO()
    im.save(b, "PNG", **kw)
    return b.getvalue()


def mnist_like_digit(rng):
    """A 28x28 antialiased stroke on black, like an MNIST digit."""
    from PIL import ImageDraw, ImageFilter
    im = Image.new("L", (112, 112), 0)
    d = ImageDraw.Draw(im)
    pts = [(int(rng.integers(24, 89)), int(rng.integers(16, 97))) for _ in range(5)]
    d.line(pts, fill=255, width=10, joint="curve")
    return im.filter(ImageFilter.GaussianBlur(2)).resize((28, 28), Image.LANCZOS)


def generate():
    os.makedirs(ASSETS, exist_ok=True)
    for f in os.listdir(ASSETS):
        if f.endswith(".png") or f == "expected.json":
            os.remove(os.path.join(ASSETS, f))
    rng = np.random.default_rng(20240607)
    manifest = {}

    # Every colour type x bit depth, plain and Adam7 at odd sizes, all five filters cycling per row.
    for ctype, depth in COMBOS:
        for (w, h), interlace in [((17, 9), False), ((17, 9), True), ((3, 5), True), ((1, 1), True), ((1, 1), False)]:
            img = sample_image(rng, h, w, ctype, depth)
            palette = trns = None
            if ctype == 3:
                # Short palettes for the 8-bit case so that indices past PLTE's end occur (PIL maps them to gray).
                entries = min(1 << depth, 200)
                palette = rng.integers(0, 256, size=3 * entries).astype(np.uint8)
                trns = bytes([0, 128])
            elif ctype == 0 and depth == 8:
                trns = struct.pack(">H", 7)
            elif ctype == 2 and depth == 8:
                trns = struct.pack(">HHH", 1, 2, 3)
            name = f"hand_ct{ctype}_{depth}bit_{w}x{h}{'_adam7' if interlace else ''}.png"
            add(manifest, name, make_png(img, ctype, depth, interlace, palette, trns, filter_offset=w + h))

    # Wide rows for the vectorised Up/Sub paths, and several IDAT chunks (one empty) with ancillary chunks around.
    img = sample_image(rng, 4, 131, 2, 8)
    add(manifest, "hand_wide_rgb8_131x4_split_idat.png",
        make_png(img, 2, 8, idat_splits=4,
                 extra_before=[chunk(b"gAMA", struct.pack(">I", 45455)), chunk(b"tEXt", b"Comment\x00SharpGrad")],
                 extra_after=[chunk(b"tEXt", b"After\x00IDAT")]))
    img = sample_image(rng, 9, 67, 6, 16)
    add(manifest, "hand_wide_rgba16_67x9_adam7.png", make_png(img, 6, 16, interlace=True, idat_splits=3))
    img = sample_image(rng, 33, 70, 0, 8)
    add(manifest, "hand_gray8_70x33_every_filter.png", make_png(img, 0, 8, idat_splits=2))
    img = sample_image(rng, 13, 21, 0, 16)
    add(manifest, "hand_gray16_21x13_adam7.png", make_png(img, 0, 16, interlace=True))

    # What PIL writes itself.
    gray = Image.fromarray(rng.integers(0, 256, size=(11, 23), dtype=np.uint8), "L")
    rgb = Image.fromarray(rng.integers(0, 256, size=(11, 23, 3), dtype=np.uint8), "RGB")
    add(manifest, "pil_L_23x11.png", pil_png(gray))
    add(manifest, "pil_L_23x11_optimize.png", pil_png(gray, optimize=True))
    add(manifest, "pil_1_23x11.png", pil_png(gray.convert("1")))
    add(manifest, "pil_LA_23x11.png", pil_png(Image.merge("LA", [gray, gray.transpose(Image.FLIP_LEFT_RIGHT)])))
    i16 = Image.fromarray(rng.integers(0, 1024, size=(11, 23)).astype(np.uint16), "I;16")
    add(manifest, "pil_I16_23x11.png", pil_png(i16))
    add(manifest, "pil_RGB_23x11.png", pil_png(rgb))
    add(manifest, "pil_RGBA_23x11.png", pil_png(rgb.convert("RGBA")))
    add(manifest, "pil_P_23x11.png", pil_png(rgb.quantize(256)))
    for colours, depth in [(2, 1), (4, 2), (16, 4)]:
        add(manifest, f"pil_P{depth}_23x11.png", pil_png(rgb.quantize(colours)))
    add(manifest, "pil_P_transparency_23x11.png", pil_png(rgb.quantize(16), transparency=3))
    for k in range(3):
        add(manifest, f"pil_mnist_like_digit{k}.png", pil_png(mnist_like_digit(rng)))

    with open(os.path.join(ASSETS, "expected.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(ASSETS, n)) for n in os.listdir(ASSETS))
    print(f"wrote {len(manifest)} PNGs and expected.json to {ASSETS}: {total} bytes in all")


def check_encoded(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".png"))
    bad = 0
    for n in names:
        png = open(os.path.join(directory, n), "rb").read()
        raw = open(os.path.join(directory, n[:-4] + ".raw"), "rb").read()
        im = Image.open(io.BytesIO(png))
        im.load()
        arr = np.asarray(im)
        ok = im.mode in ("L", "RGB") and arr.tobytes() == raw
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {n}: PIL mode {im.mode} size {im.size}")
    print(f"{len(names) - bad} of {len(names)} encoder outputs read back exactly by PIL {Image.__version__}")
    return 1 if bad or not names else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-encoded":
        sys.exit(check_encoded(sys.argv[2]))
    generate()
