#!/usr/bin/env python3
"""make_dng.py OUT WIDTH HEIGHT: write a small valid DNG (a little-endian
baseline TIFF with DNGVersion, one uncompressed strip of 16-bit RGGB CFA
data) that libraw opens, for the RAW+JPEG export test. The pixels are a
gradient; only the file's structure and size matter to the test."""
import struct
import sys

SHORT, LONG, BYTE, ASCII, SRATIONAL, RATIONAL = 3, 4, 1, 2, 10, 5


def main():
    out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    pixels = bytearray()
    for y in range(h):
        pixels += struct.pack("<%dH" % w, *[((x + y) * 97) & 0x3FFF for x in range(w)])
    model = b"photorig test DNG\0"
    matrix = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    # (tag, type, count, payload bytes): payloads over 4 bytes go after the IFD
    tags = [
        (254, LONG, 1, struct.pack("<I", 0)),
        (256, LONG, 1, struct.pack("<I", w)),
        (257, LONG, 1, struct.pack("<I", h)),
        (258, SHORT, 1, struct.pack("<H", 16)),
        (259, SHORT, 1, struct.pack("<H", 1)),
        (262, SHORT, 1, struct.pack("<H", 32803)),
        (271, ASCII, 9, b"photorig\0"),
        (272, ASCII, len(model), model),
        (273, LONG, 1, None),  # StripOffsets: filled in below
        (274, SHORT, 1, struct.pack("<H", 1)),
        (277, SHORT, 1, struct.pack("<H", 1)),
        (278, LONG, 1, struct.pack("<I", h)),
        (279, LONG, 1, struct.pack("<I", len(pixels))),
        (284, SHORT, 1, struct.pack("<H", 1)),
        (33421, SHORT, 2, struct.pack("<HH", 2, 2)),
        (33422, BYTE, 4, bytes([0, 1, 1, 2])),
        (50706, BYTE, 4, bytes([1, 4, 0, 0])),
        (50707, BYTE, 4, bytes([1, 1, 0, 0])),
        (50708, ASCII, len(model), model),
        (50717, LONG, 1, struct.pack("<I", 16383)),
        (50721, SRATIONAL, 9, b"".join(struct.pack("<ii", v, 1) for v in matrix)),
        (50778, SHORT, 1, struct.pack("<H", 21)),
    ]
    ifd_at = 8
    ifd_len = 2 + 12 * len(tags) + 4
    extra_at = ifd_at + ifd_len
    extra = bytearray()
    entries = bytearray()
    strip_at = None
    big = [t for t in tags if t[3] is not None and len(t[3]) > 4]
    strip_at = extra_at + sum(len(t[3]) + (len(t[3]) & 1) for t in big)
    for tag, typ, count, payload in tags:
        if payload is None:
            payload = struct.pack("<I", strip_at)
        if len(payload) <= 4:
            entries += struct.pack("<HHI", tag, typ, count) + payload.ljust(4, b"\0")
        else:
            entries += struct.pack("<HHII", tag, typ, count, extra_at + len(extra))
            extra += payload + (b"\0" if len(payload) & 1 else b"")
    assert extra_at + len(extra) == strip_at
    with open(out, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", ifd_at))
        f.write(struct.pack("<H", len(tags)) + entries + struct.pack("<I", 0))
        f.write(extra)
        f.write(pixels)


if __name__ == "__main__":
    main()
