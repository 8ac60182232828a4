#!/usr/bin/env python3
"""Count a CDnet-layout recording's scores on its own, for eval_cdnet.sh.

usage: cdnet_count.py RECORDING MASKS_DIR

Reads RECORDING/temporalROI.txt, ROI.bmp (8-bit palette or 24-bit) and
groundtruth/gtNNNNNN.png, and MASKS_DIR/binNNNNNN.png, with nothing but the
standard library (its own PNG and BMP readers), and prints one JSON object:
tp, fp, fn, tn, shadow_pixels, shadow_fp and the ratios, counted by CDnet's
rules (85 and 170 and outside the ROI not counted, 50 is background). It
shares no code with photorig, so photorig's counting is checked against it.
"""
import json
import struct
import sys
import zlib


def read_png_grey(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                raise SystemExit(f"{path}: only 8-bit non-interlaced PNGs are read")
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line[0::bpp]))
        prev = line
    return w, h, b"".join(rows)


def read_bmp_plane(path):
    with open(path, "rb") as f:
        d = f.read()
    off, = struct.unpack("<I", d[10:14])
    w, h, _, bpp = struct.unpack("<iiHH", d[18:30])
    top_down = h < 0
    h = abs(h)
    row = ((bpp * w + 31) // 32) * 4
    pal = d[54:54 + 1024]
    out = bytearray(w * h)
    for y in range(h):
        src = off + row * (y if top_down else h - 1 - y)
        for x in range(w):
            if bpp == 8:
                v = pal[4 * d[src + x] + 2]
            else:
                v = d[src + x * (bpp // 8) + 2]
            out[y * w + x] = v
    return w, h, bytes(out)


def main():
    rec, masks = sys.argv[1], sys.argv[2]
    with open(f"{rec}/temporalROI.txt") as f:
        first, last = (int(v) for v in f.read().split())
    _, _, roi = read_bmp_plane(f"{rec}/ROI.bmp")
    tp = fp = fn = tn = sp = sfp = 0
    for k in range(first, last + 1):
        _, _, gt = read_png_grey(f"{rec}/groundtruth/gt{k:06d}.png")
        _, _, m = read_png_grey(f"{masks}/bin{k:06d}.png")
        for g, mv, r in zip(gt, m, roi):
            if not r or g in (85, 170):
                continue
            fg = mv >= 128
            if g == 255:
                tp += fg
                fn += not fg
            else:
                fp += fg
                tn += not fg
                if g == 50:
                    sp += 1
                    sfp += fg
    rec_ = tp / (tp + fn) if tp + fn else 1.0
    prec = tp / (tp + fp) if tp + fp else 1.0
    f = 2 * prec * rec_ / (prec + rec_) if prec + rec_ else 0.0
    pwc = 100.0 * (fn + fp) / (tp + fn + fp + tn)
    print(json.dumps({"tp": tp, "fp": fp, "fn": fn, "tn": tn, "recall": rec_,
                      "precision": prec, "f": f, "pwc": pwc, "shadow_pixels": sp,
                      "shadow_fp": sfp, "shadow_fpr": sfp / sp if sp else 0.0}))


if __name__ == "__main__":
    main()
