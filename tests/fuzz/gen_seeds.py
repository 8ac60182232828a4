#!/usr/bin/env python3
"""Hand-made image seeds for fuzz_image: the layouts `photorig scene` and
`photorig mask` do not write (palette, grey+alpha and 16-bit PNG, PNG and
JPEG with ICC profiles, planar and 16-bit grey TIFF), so the fuzzer starts
inside the decoders' rarer branches. Standard library only.

usage: gen_seeds.py OUTDIR [JPEG]   (JPEG: a small baseline JPEG to give an
ICC profile split over two APP2 markers)"""
import struct
import sys
import zlib


def png(path, w, h, colour, depth, raw_rows, extra=b""):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)
    data = b"".join(b"\0" + r for r in raw_rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
    out += chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")
    open(path, "wb").write(out)


def fake_icc(n):
    # an ICC header's size field and signature; the rest is filler: photorig
    # carries profiles through, it does not interpret them
    body = bytearray(n)
    body[0:4] = struct.pack(">I", n)
    body[36:40] = b"acsp"
    return bytes(body)


def tiff(path, w, h, spp, bits, planar, samples):
    """Little-endian, uncompressed, one strip per plane."""
    bps = bits // 8
    if planar == 2:
        planes = [b"".join(samples(x, y, c) for y in range(h) for x in range(w)) for c in range(spp)]
    else:
        planes = [b"".join(samples(x, y, c) for y in range(h) for x in range(w) for c in range(spp))]
    tags = []
    nent = 12
    ifd_off = 8
    extra_off = ifd_off + 2 + nent * 12 + 4
    extra = b""

    def add_array(vals, fmt):
        nonlocal extra
        off = extra_off + len(extra)
        extra += b"".join(struct.pack("<" + fmt, v) for v in vals)
        return off
    bits_val = bits if spp == 1 else add_array([bits] * spp, "H")
    data_off = extra_off + 64
    offsets, counts = [], []
    pos = data_off
    for p in planes:
        offsets.append(pos)
        counts.append(len(p))
        pos += len(p)
    strip_off = offsets[0] if len(planes) == 1 else add_array(offsets, "I")
    strip_cnt = counts[0] if len(planes) == 1 else add_array(counts, "I")
    extra = extra.ljust(64, b"\0")
    photometric = 1 if spp in (1, 2) else 2
    tags = [(256, 3, 1, w), (257, 3, 1, h), (258, 3, spp, bits_val), (259, 3, 1, 1),
            (262, 3, 1, photometric), (273, 4, len(planes), strip_off), (277, 3, 1, spp),
            (278, 3, 1, h), (279, 4, len(planes), strip_cnt), (284, 3, 1, planar),
            (339, 3, 1, 1), (338 if spp in (2, 4) else 305, 3 if spp in (2, 4) else 2, 1, 2 if spp in (2, 4) else 0)]
    out = b"II*\0" + struct.pack("<I", ifd_off) + struct.pack("<H", nent)
    for tag, typ, cnt, val in sorted(tags):
        if typ == 3 and cnt == 1:
            out += struct.pack("<HHIHH", tag, typ, cnt, val, 0)
        else:
            out += struct.pack("<HHII", tag, typ, cnt, val)
    out += b"\0\0\0\0" + extra + b"".join(planes)
    open(path, "wb").write(out)


def main():
    out = sys.argv[1]
    w = h = 8
    # palette, 4 colours, 2 bits
    plte = b"\x10\x20\x30\xff\x00\x00\x00\xff\x00\x00\x00\xff"
    rows = [bytes([(((x + y) % 4) << 6 | ((x + y + 1) % 4) << 4 | ((x + y + 2) % 4) << 2 | ((x + y + 3) % 4)) for x in range(2)]) for y in range(h)]
    c = struct.pack(">I", len(plte)) + b"PLTE" + plte + struct.pack(">I", zlib.crc32(b"PLTE" + plte))
    png(f"{out}/palette.png", w, h, 3, 2, rows, c)
    png(f"{out}/grey_alpha.png", w, h, 4, 8,
        [b"".join(bytes([x * 30, 255 - y * 30]) for x in range(w)) for y in range(h)])
    png(f"{out}/rgba16.png", w, h, 6, 16, [b"".join(struct.pack(">HHHH", x * 8000, y * 8000, 1234, 65535 - x) for x in range(w)) for y in range(h)])
    icc = fake_icc(200)
    iccp = b"sRGB\0\0" + zlib.compress(icc)
    c = struct.pack(">I", len(iccp)) + b"iCCP" + iccp + struct.pack(">I", zlib.crc32(b"iCCP" + iccp))
    png(f"{out}/rgb_icc.png", w, h, 2, 8, [b"".join(bytes([x * 30, y * 30, 128]) for x in range(w)) for y in range(h)], c)
    tiff(f"{out}/planar_rgb.tif", w, h, 3, 8, 2, lambda x, y, c: bytes([(x * 30 + c * 50) & 255]))
    tiff(f"{out}/grey16.tif", w, h, 1, 16, 1, lambda x, y, c: struct.pack("<H", x * 4000 + y))
    tiff(f"{out}/rgba16_planar.tif", w, h, 4, 16, 2, lambda x, y, c: struct.pack("<H", (x + y + c) * 1000))
    if len(sys.argv) > 2:
        jpg = open(sys.argv[2], "rb").read()
        assert jpg[:2] == b"\xff\xd8"
        app2 = b""
        parts = [icc[:120], icc[120:]]
        for i, p in enumerate(parts):
            body = b"ICC_PROFILE\0" + bytes([i + 1, len(parts)]) + p
            app2 += b"\xff\xe2" + struct.pack(">H", len(body) + 2) + body
        open(f"{out}/icc.jpg", "wb").write(jpg[:2] + app2 + jpg[2:])


main()
