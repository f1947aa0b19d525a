"""Bar charts as PNG images for Word documents, drawn here with the standard
library (zlib and struct): no imaging dependency, nothing fetched. python-docx
takes raster images only, and the same chart is on screen as SVG
(templates/summaries/_chart.html).

Horizontal bars in one colour, each labelled with its name and its number in a
5 x 7 pixel font (capitals, digits and a little punctuation), so the image reads
without colour and says the same as the table beside it and its alternative text.
"""

from __future__ import annotations

import struct
import zlib

_GLYPHS = {
    "A": ".###.#...##...#######...##...##...#",
    "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.",
    "D": "####.#...##...##...##...##...#####.",
    "E": "######....#....####.#....#....#####",
    "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####",
    "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.",
    "J": "..###...#....#....#....#.#..#..##..",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#",
    "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##...##...##...##...#",
    "N": "#...###..##.#.##..###...##...##...#",
    "O": ".###.#...##...##...##...##...#.###.",
    "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#",
    "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".####&....#.....###.....#....#####.",
    "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.",
    "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.",
    "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..",
    "Z": "#####....#...#...#...#...#....#####",
    "0": ".###.#...##..###.#.###..##...#.###.",
    "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####",
    "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.",
    "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.",
    "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.",
    "9": ".###.#...##...#.####....#...#..##..",
    "-": "................###................",
    ":": "......##...##........##...##.......",
    ".": "..........................##...##..",
    "(": "...#...#...#....#....#.....#.....#.",
    ")": ".#.....#.....#....#....#...#...#...",
    "+": ".......#....#..#####..#....#.......",
    " ": "...................................",
}
_WIDTH, _HEIGHT, _SCALE = 5, 7, 2
BLUE = (0x1D, 0x70, 0xB8)
INK = (0x0B, 0x0C, 0x0D)
PAPER = (0xFF, 0xFF, 0xFF)


def _glyph(char: str) -> str:
    pattern = _GLYPHS.get(char, _GLYPHS[" "]).replace("&", "#")
    return pattern.ljust(_WIDTH * _HEIGHT, ".")[: _WIDTH * _HEIGHT]


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = [bytearray(PAPER * width) for _ in range(height)]

    def box(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        for row in range(max(0, y), min(self.height, y + h)):
            for column in range(max(0, x), min(self.width, x + w)):
                self.pixels[row][column * 3 : column * 3 + 3] = bytes(colour)

    def text(self, x: int, y: int, words: str) -> int:
        """Draw capitals at (x, y); returns the x after the last character."""
        for char in words.upper():
            pattern = _glyph(char)
            for index, on in enumerate(pattern):
                if on == "#":
                    gx, gy = index % _WIDTH, index // _WIDTH
                    self.box(x + gx * _SCALE, y + gy * _SCALE, _SCALE, _SCALE, INK)
            x += (_WIDTH + 1) * _SCALE
        return x

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.pixels)

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return (
                struct.pack(">I", len(data))
                + body
                + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def bar_chart(rows: list[tuple[str, int]], *, width: int = 900) -> bytes:
    """A horizontal bar chart of ``rows`` (label, count) as PNG bytes."""
    label_chars = min(24, max((len(label) for label, _ in rows), default=1))
    label_width = (label_chars + 1) * (_WIDTH + 1) * _SCALE
    number_width = 6 * (_WIDTH + 1) * _SCALE
    bar_space = max(50, width - label_width - number_width)
    row_height = 28
    canvas = _Canvas(width, max(1, len(rows)) * row_height + 8)
    top = max((count for _, count in rows), default=0)
    for index, (label, count) in enumerate(rows):
        y = index * row_height + 6
        canvas.text(0, y + 3, label[:label_chars])
        length = round(bar_space * count / top) if top else 0
        canvas.box(label_width, y, max(length, 2), 20, BLUE)
        canvas.text(label_width + max(length, 2) + 8, y + 3, str(count))
    return canvas.png()
