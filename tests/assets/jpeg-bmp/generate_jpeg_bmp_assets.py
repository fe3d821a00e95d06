#!/usr/bin/python3
"""Deterministically generates the JPEG/BMP test assets and PIL's decoded pixels for each.

Run with /usr/bin/python3 (PIL 9.4 + numpy). Uses cjpeg/jpegtran from libjpeg-turbo-progs for
variants PIL cannot write (restart markers, arithmetic coding, sampling 4:4:0 / 4:1:1, custom
scan scripts, RGB colour space, extended sequential). BMP variants PIL cannot write are produced
by the small writer below.

For every image `assets/NAME.EXT` the expected pixels are in `assets/NAME.EXT.raw`:
    zlib( int32le width, int32le height, int32le channels, filtered pixels )
where each row of `filtered pixels` stores the first pixel as is and every later byte as the
difference (mod 256) from the byte one pixel to its left (PNG 'Sub' filter) - this keeps the
expected data small. channels = 1 when PIL opens the file in mode 'L' or '1', otherwise 3
(PIL's convert('RGB')). Large images listed in HASH_ONLY get `NAME.EXT.sha256` instead, holding
"width height channels sha256(pixels)" (their pixels would not compress below ~80 KB).
Files named `error_*` have no expectation; the decoder must reject them.
"""

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np
from PIL import Image

HASH_ONLY = {"jpeg_rgb420_q85_224x224.jpg"}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = HERE  # the script lives beside the assets it writes (tests/assets/jpeg-bmp)


# --------------------------------------------------------------------------- source pictures

def picture(w, h, seed, channels=3):
    """Photo-like synthetic content: smooth waves, a few hard-edged shapes, mild noise."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        v = 128 + 50 * np.sin(xx / (3 + 9 * rng.rand()) + rng.rand() * 6) * np.cos(yy / (4 + 7 * rng.rand()))
        v += 40 * (xx / max(w, 1) - 0.5) * (1 if c % 2 else -1)
        planes.append(v)
    img = np.stack(planes, axis=-1)
    for _ in range(3):
        cx, cy, r = rng.rand() * w, rng.rand() * h, 2 + rng.rand() * max(w, h) / 3
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        img[mask] = rng.randint(0, 256, size=channels)
    img += rng.normal(0, 3, size=img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img[:, :, 0] if channels == 1 else img


def noise(w, h, seed, channels=3):
    rng = np.random.RandomState(seed)
    shape = (h, w) if channels == 1 else (h, w, channels)
    return rng.randint(0, 256, size=shape).astype(np.uint8)


# --------------------------------------------------------------------------- expected pixels

def write_raw(path, arr):
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    c = 1 if arr.ndim == 2 else arr.shape[2]
    rows = arr.reshape(h, w * c).astype(np.int16)
    filt = rows.copy()
    filt[:, c:] = (rows[:, c:] - rows[:, :-c]) % 256
    payload = struct.pack("<iii", w, h, c) + filt.astype(np.uint8).tobytes()
    with open(path + ".raw", "wb") as f:
        f.write(zlib.compress(payload, 9))


def expect(path):
    """Stores what PIL decodes for the file at `path`."""
    im = Image.open(path)
    mode = im.mode
    im.load()
    arr = np.ascontiguousarray(np.asarray(im.convert("L") if mode in ("L", "1") else im.convert("RGB")))
    if os.path.basename(path) in HASH_ONLY:
        h, w = arr.shape[:2]
        c = 1 if arr.ndim == 2 else arr.shape[2]
        with open(path + ".sha256", "w") as f:
            f.write(f"{w} {h} {c} {hashlib.sha256(arr.tobytes()).hexdigest()}\n")
    else:
        write_raw(path, arr)


def save_pil(name, arr, **kw):
    path = os.path.join(OUT, name)
    Image.fromarray(arr).save(path, **kw)
    if not name.startswith("error_"):
        expect(path)
    return path


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def cjpeg(name, arr, args, scans=None):
    path = os.path.join(OUT, name)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pgm" if arr.ndim == 2 else "in.ppm")
        Image.fromarray(arr).save(src)
        cmd = ["cjpeg"] + args
        if scans is not None:
            script = os.path.join(tmp, "scans.txt")
            with open(script, "w") as f:
                f.write(scans)
            cmd += ["-scans", script]
        run(cmd + ["-outfile", path, src])
    if not name.startswith("error_"):
        expect(path)
    return path


# --------------------------------------------------------------------------- JPEG assets

SIZES = [(1, 1), (7, 9), (17, 23), (33, 20)]


def jpeg_assets():
    seed = 100
    for (w, h) in SIZES + [(64, 48)]:
        for q in (50, 95):
            seed += 1
            save_pil(f"jpeg_gray_q{q}_{w}x{h}.jpg", picture(w, h, seed, 1), quality=q)
    for (w, h) in SIZES:
        for q in (50, 95):
            for sub, tag in ((0, "444"), (1, "422"), (2, "420")):
                seed += 1
                save_pil(f"jpeg_rgb{tag}_q{q}_{w}x{h}.jpg", picture(w, h, seed), quality=q, subsampling=sub)
    # Chroma only 1-2 samples wide: libjpeg falls back to box upsampling.
    save_pil("jpeg_rgb420_q75_3x5.jpg", picture(3, 5, 7), quality=75, subsampling=2)
    save_pil("jpeg_rgb422_q75_4x6.jpg", picture(4, 6, 8), quality=75, subsampling=1)
    # Larger, typical content.
    save_pil("jpeg_rgb420_q75_64x64.jpg", picture(64, 64, 9), quality=75, subsampling=2)
    save_pil("jpeg_rgb444_q90_64x40.jpg", picture(64, 40, 10), quality=90, subsampling=0)
    save_pil("jpeg_rgb420_q85_224x224.jpg", picture(224, 224, 11), quality=85, subsampling=2)
    save_pil("jpeg_gray_q90_28x28.jpg", picture(28, 28, 12, 1), quality=90)
    save_pil("jpeg_rgb420_optimized_q80_48x40.jpg", picture(48, 40, 13), quality=80, subsampling=2, optimize=True)
    save_pil("jpeg_rgb420_noise_q95_24x24.jpg", noise(24, 24, 14), quality=95, subsampling=2)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation "rotate 90": must NOT be applied
    save_pil("jpeg_rgb420_exif_q80_20x12.jpg", picture(20, 12, 15), quality=80, exif=exif.tobytes())

    # Progressive (PIL uses libjpeg's standard script: spectral selection + successive approximation).
    save_pil("jpeg_prog_gray_q75_33x20.jpg", picture(33, 20, 16, 1), quality=75, progressive=True)
    save_pil("jpeg_prog_rgb420_q75_33x20.jpg", picture(33, 20, 17), quality=75, progressive=True, subsampling=2)
    save_pil("jpeg_prog_rgb444_q90_17x23.jpg", picture(17, 23, 18), quality=90, progressive=True, subsampling=0)
    save_pil("jpeg_prog_rgb422_q60_64x48.jpg", picture(64, 48, 19), quality=60, progressive=True, subsampling=1)
    save_pil("jpeg_prog_rgb420_optimized_q85_40x40.jpg", picture(40, 40, 20), quality=85, progressive=True,
             subsampling=2, optimize=True)
    save_pil("jpeg_prog_rgb420_noise_q95_24x16.jpg", noise(24, 16, 21), quality=95, progressive=True, subsampling=2)

    # cjpeg variants.
    cjpeg("jpeg_restart_rows_rgb420_37x29.jpg", picture(37, 29, 22), ["-quality", "80", "-sample", "2x2", "-restart", "1"])
    cjpeg("jpeg_restart_blocks_rgb422_37x29.jpg", picture(37, 29, 23), ["-quality", "80", "-sample", "2x1", "-restart", "3B"])
    cjpeg("jpeg_restart_gray_25x19.jpg", picture(25, 19, 24, 1), ["-quality", "70", "-restart", "1B"])
    cjpeg("jpeg_prog_restart_rgb420_37x29.jpg", picture(37, 29, 25), ["-quality", "80", "-sample", "2x2", "-restart", "2B", "-progressive"])
    cjpeg("jpeg_rgb440_q80_23x17.jpg", picture(23, 17, 26), ["-quality", "80", "-sample", "1x2"])
    cjpeg("jpeg_rgb440_q80_1x5.jpg", picture(1, 5, 38), ["-quality", "80", "-sample", "1x2"])
    cjpeg("jpeg_rgb440_q80_2x3.jpg", picture(2, 3, 39), ["-quality", "80", "-sample", "1x2"])
    cjpeg("jpeg_rgb411_q80_37x13.jpg", picture(37, 13, 27), ["-quality", "80", "-sample", "4x1"])
    cjpeg("jpeg_rgb410_q80_37x21.jpg", picture(37, 21, 28), ["-quality", "80", "-sample", "4x2"])
    cjpeg("jpeg_rgb_colorspace_q90_19x11.jpg", picture(19, 11, 29), ["-quality", "90", "-rgb"])
    # Every upsampling path in one file: Y 1x2 (h2v1 fancy), Cb 2x1 (h1v2 fancy), Cr 1x1 (h2v2 fancy).
    cjpeg("jpeg_mixed_sampling_q85_29x19.jpg", picture(29, 19, 40), ["-quality", "85", "-sample", "1x2,2x1,1x1"])
    # RGB colour space recognised by component ids 'R','G','B' alone (Adobe marker removed).
    path = cjpeg("jpeg_rgb_ids_no_adobe_q90_19x11.jpg", picture(19, 11, 41), ["-quality", "90", "-rgb"])
    strip_segments(path, 0xEE)
    # Single component with sampling factors 2x2: its scan is still one block per MCU.
    cjpeg("jpeg_gray_sampling2x2_q80_21x13.jpg", picture(21, 13, 42, 1), ["-quality", "80", "-grayscale", "-sample", "2x2"])
    cjpeg("jpeg_extended_sof1_q3_21x13.jpg", picture(21, 13, 30), ["-quality", "3"])
    cjpeg("jpeg_multiscan_sequential_rgb420_27x19.jpg", picture(27, 19, 31), ["-quality", "80", "-sample", "2x2"],
          scans="0;\n1;\n2;\n")
    cjpeg("jpeg_prog_custom_script_rgb420_27x19.jpg", picture(27, 19, 32), ["-quality", "85", "-sample", "2x2"],
          scans="0,1,2: 0-0, 0, 2;\n0: 1-9, 0, 2;\n2: 1-63, 0, 1;\n1: 1-63, 0, 1;\n0: 10-63, 0, 2;\n"
                "0,1,2: 0-0, 2, 1;\n0,1,2: 0-0, 1, 0;\n0: 1-63, 2, 1;\n0: 1-63, 1, 0;\n1: 1-63, 1, 0;\n2: 1-63, 1, 0;\n")
    cjpeg("error_arithmetic.jpg", picture(16, 16, 33), ["-quality", "80", "-arithmetic"])
    cjpeg("error_arithmetic_progressive.jpg", picture(16, 16, 34), ["-quality", "80", "-arithmetic", "-progressive"])
    cmyk_asset()

    # Motion-JPEG style: no DHT segment, standard tables implied (libjpeg-turbo decodes these).
    path = save_pil("jpeg_no_dht_rgb420_q75_24x16.jpg", picture(24, 16, 37), quality=75, subsampling=2)
    strip_segments(path, 0xC4)


def strip_segments(path, marker_code):
    """Removes every header segment with the given marker and re-records PIL's pixels."""
    data = open(path, "rb").read()
    out, i = bytearray(data[:2]), 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xDA:
            out += data[i:]
            break
        if marker != marker_code:
            out += data[i:i + 2 + length]
        i += 2 + length
    with open(path, "wb") as f:
        f.write(out)
    expect(path)


def cmyk_asset():
    arr = picture(16, 16, 35)
    Image.fromarray(arr).convert("CMYK").save(os.path.join(OUT, "error_cmyk.jpg"), quality=80)


# --------------------------------------------------------------------------- BMP writer

def bmp_bytes(w, h, bits, rows, palette=None, compression=0, header=40, top_down=False,
              masks=None, alpha_mask=None, colors_used=None, pal_entry=4):
    """rows: list of already-packed row bytes in file order (unpadded)."""
    if compression in (1, 2):
        pix = b"".join(rows)
    else:
        stride = ((w * bits + 31) >> 5) * 4
        pix = b"".join(r.ljust(stride, b"\0") for r in rows)
    pal = b""
    if palette is not None:
        pal = b"".join(bytes([b, g, r] + ([0] if pal_entry == 4 else [])) for (r, g, b) in palette)
    extra = b""
    if header == 12:
        info = struct.pack("<IHHHH", 12, w, h, 1, bits)
    else:
        ncol = len(palette) if (palette is not None and colors_used is None) else (colors_used or 0)
        info = struct.pack("<IiiHHIIiiII", header, w, -h if top_down else h, 1, bits, compression,
                           len(pix), 2835, 2835, ncol, 0)
        if header >= 52:
            m = masks or (0, 0, 0)
            info += struct.pack("<III", *m)
            if header >= 56:
                info += struct.pack("<I", alpha_mask or 0)
            if header >= 108:
                info += b"BGRs" + b"\0" * 48  # colour space + endpoints + gammas
            if header >= 124:
                info += struct.pack("<IIII", 4, 0, 0, 0)
            info = info.ljust(header, b"\0")
        elif masks is not None:
            extra = struct.pack("<III", *masks)
    offset = 14 + len(info) + len(extra) + len(pal)
    return b"BM" + struct.pack("<IHHI", offset + len(pix), 0, 0, offset) + info + extra + pal + pix


def pack_indices(idx_row, bits):
    if bits == 8:
        return bytes(idx_row)
    per = 8 // bits
    out = bytearray((len(idx_row) + per - 1) // per)
    for x, v in enumerate(idx_row):
        out[x // per] |= v << (8 - bits * (x % per + 1))
    return bytes(out)


def rle_encode(idx_rows, rle4):
    """Encoded runs, absolute runs (even length for RLE4, >= 3 pixels), EOL per row, EOB."""
    out = bytearray()
    for row in idx_rows:
        x, n = 0, len(row)
        while x < n:
            run = 1
            while x + run < n and run < 255 and row[x + run] == row[x]:
                run += 1
            if run >= 2 or n - x < 4:
                cnt = min(run, n - x)
                out += bytes([cnt, (row[x] << 4 | row[x]) if rle4 else row[x]])
                x += cnt
            else:
                cnt = min(8, n - x)
                if rle4 and cnt % 2:
                    cnt -= 1
                lit = row[x:x + cnt]
                if rle4:
                    body = bytes((lit[i] << 4) | lit[i + 1] for i in range(0, cnt, 2))
                else:
                    body = bytes(lit)
                out += bytes([0, cnt]) + body + (b"\0" if len(body) % 2 else b"")
                x += cnt
        out += b"\x00\x00"
    out[-2:] = b"\x00\x01"
    return bytes(out)


def write_bmp(name, data):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)
    if not name.startswith("error_"):
        expect(path)


def bmp_assets():
    rng = np.random.RandomState(7)
    colour16 = [tuple(int(v) for v in rng.randint(0, 256, 3)) for _ in range(16)]
    colour256 = [tuple(int(v) for v in rng.randint(0, 256, 3)) for _ in range(256)]

    # PIL-written files: mode 1 (black/white palette), L (identity gray ramp), P, RGB.
    for w in (1, 7, 9, 33):
        save_pil(f"bmp_1bit_bw_{w}x5.bmp", (noise(w, 5, w, 1) > 127).astype(np.uint8) * 255)
        Image.fromarray((noise(w, 5, 40 + w, 1) > 127).astype(np.uint8) * 255).convert("1").save(
            os.path.join(OUT, f"bmp_1bit_bw_mode1_{w}x5.bmp"))
        expect(os.path.join(OUT, f"bmp_1bit_bw_mode1_{w}x5.bmp"))
        save_pil(f"bmp_8bit_gray_{w}x6.bmp", noise(w, 6, 50 + w, 1))
        save_pil(f"bmp_24bit_{w}x4.bmp", noise(w, 4, 60 + w))
    p = Image.fromarray(noise(13, 7, 70)).quantize(colors=200)
    p.save(os.path.join(OUT, "bmp_8bit_palette_pil_13x7.bmp"))
    expect(os.path.join(OUT, "bmp_8bit_palette_pil_13x7.bmp"))

    # Hand-written variants.
    for w in (1, 5, 8, 13):
        h = 4
        idx = rng.randint(0, 2, size=(h, w))
        rows = [pack_indices(r, 1) for r in idx[::-1]]
        write_bmp(f"bmp_1bit_colour_{w}x{h}.bmp", bmp_bytes(w, h, 1, rows, palette=colour16[:2]))
        idx = rng.randint(0, 16, size=(h, w))
        rows = [pack_indices(r, 4) for r in idx[::-1]]
        write_bmp(f"bmp_4bit_{w}x{h}.bmp", bmp_bytes(w, h, 4, rows, palette=colour16))
        write_bmp(f"bmp_4bit_topdown_{w}x{h}.bmp", bmp_bytes(w, h, 4, [pack_indices(r, 4) for r in idx], palette=colour16, top_down=True))
        idx = rng.randint(0, 256, size=(h, w))
        write_bmp(f"bmp_8bit_{w}x{h}.bmp", bmp_bytes(w, h, 8, [bytes(r.astype(np.uint8)) for r in idx[::-1]], palette=colour256))
        write_bmp(f"bmp_8bit_topdown_{w}x{h}.bmp", bmp_bytes(w, h, 8, [bytes(r.astype(np.uint8)) for r in idx], palette=colour256, top_down=True))

    # Short palette: indices beyond it read as gray (i, i, i) in PIL.
    idx = rng.randint(0, 40, size=(3, 11))
    write_bmp("bmp_8bit_short_palette_11x3.bmp", bmp_bytes(11, 3, 8, [bytes(r.astype(np.uint8)) for r in idx[::-1]], palette=colour256[:20]))
    # 8-bit full identity ramp written by hand with a V5 header -> L.
    idx = rng.randint(0, 256, size=(5, 6))
    write_bmp("bmp_8bit_gray_v5_6x5.bmp", bmp_bytes(6, 5, 8, [bytes(r.astype(np.uint8)) for r in idx[::-1]],
                                                  palette=[(i, i, i) for i in range(256)], header=124))

    # 16-bit.
    for w in (3, 6):
        h = 3
        px = rng.randint(0, 1 << 15, size=(h, w))
        write_bmp(f"bmp_16bit_555_{w}x{h}.bmp", bmp_bytes(w, h, 16, [struct.pack(f"<{w}H", *r) for r in px[::-1]]))
        write_bmp(f"bmp_16bit_bitfields555_{w}x{h}.bmp", bmp_bytes(w, h, 16, [struct.pack(f"<{w}H", *r) for r in px[::-1]],
                                                               compression=3, masks=(0x7C00, 0x3E0, 0x1F)))
        px = rng.randint(0, 1 << 16, size=(h, w))
        write_bmp(f"bmp_16bit_565_{w}x{h}.bmp", bmp_bytes(w, h, 16, [struct.pack(f"<{w}H", *r) for r in px[::-1]],
                                                      compression=3, masks=(0xF800, 0x7E0, 0x1F)))
        write_bmp(f"bmp_16bit_565_v4_topdown_{w}x{h}.bmp", bmp_bytes(w, h, 16, [struct.pack(f"<{w}H", *r) for r in px],
                                                                 compression=3, masks=(0xF800, 0x7E0, 0x1F), header=108, top_down=True))

    # 24-bit variants.
    arr = noise(7, 5, 80)
    write_bmp("bmp_24bit_topdown_7x5.bmp", bmp_bytes(7, 5, 24, [r[:, ::-1].tobytes() for r in arr], top_down=True))
    write_bmp("bmp_24bit_v5_5x3.bmp", bmp_bytes(5, 3, 24, [r[:, ::-1].tobytes() for r in noise(5, 3, 81)[::-1]], header=124))
    write_bmp("bmp_24bit_os2_5x3.bmp", bmp_bytes(5, 3, 24, [r[:, ::-1].tobytes() for r in noise(5, 3, 82)[::-1]], header=12))
    idx = rng.randint(0, 256, size=(3, 7))
    write_bmp("bmp_8bit_os2_7x3.bmp", bmp_bytes(7, 3, 8, [bytes(r.astype(np.uint8)) for r in idx[::-1]], palette=colour256, header=12, pal_entry=3))

    # 32-bit variants.
    for w in (3, 4):
        h = 3
        bgra = noise(w, h, 90 + w, 4)
        write_bmp(f"bmp_32bit_bgrx_{w}x{h}.bmp", bmp_bytes(w, h, 32, [r.tobytes() for r in bgra[::-1]]))
        write_bmp(f"bmp_32bit_bitfields_{w}x{h}.bmp", bmp_bytes(w, h, 32, [r.tobytes() for r in bgra[::-1]],
                                                            compression=3, masks=(0xFF0000, 0xFF00, 0xFF)))
        write_bmp(f"bmp_32bit_v5_bgra_{w}x{h}.bmp", bmp_bytes(w, h, 32, [r.tobytes() for r in bgra[::-1]], compression=3,
                                                          masks=(0xFF0000, 0xFF00, 0xFF), alpha_mask=0xFF000000, header=124))
        write_bmp(f"bmp_32bit_v4_rgba_topdown_{w}x{h}.bmp", bmp_bytes(w, h, 32, [r.tobytes() for r in bgra], compression=3,
                                                                  masks=(0xFF, 0xFF00, 0xFF0000), alpha_mask=0xFF000000,
                                                                  header=108, top_down=True))
    write_bmp("bmp_32bit_v5_xbgr_4x2.bmp", bmp_bytes(4, 2, 32, [r.tobytes() for r in noise(4, 2, 95, 4)], compression=3,
                                                    masks=(0xFF000000, 0xFF0000, 0xFF00), header=124))

    # RLE (PIL cannot write these; encoder above stays within what PIL 9.4 decodes correctly).
    for w in (7, 16):
        h = 5
        idx = np.repeat(rng.randint(0, 256, size=(h, (w + 2) // 3)), 3, axis=1)[:, :w]
        idx[:, -2:] = rng.randint(0, 256, size=(h, 2))
        write_bmp(f"bmp_rle8_{w}x{h}.bmp", bmp_bytes(w, h, 8, [rle_encode([list(r) for r in idx[::-1]], False)],
                                                   palette=colour256, compression=1))
        idx4 = idx % 16
        write_bmp(f"bmp_rle4_{w}x{h}.bmp", bmp_bytes(w, h, 4, [rle_encode([list(r) for r in idx4[::-1]], True)],
                                                   palette=colour16, compression=2))

    # Unsupported variants (expected errors).
    write_bmp("error_bmp_2bit.bmp", bmp_bytes(4, 2, 2, [b"\x1b", b"\xe4"], palette=colour16[:4]))
    jpeg_inside = bmp_bytes(4, 2, 24, [b"\0" * 12, b"\0" * 12], compression=4)
    write_bmp("error_bmp_bi_jpeg.bmp", jpeg_inside)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    jpeg_assets()
    bmp_assets()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
