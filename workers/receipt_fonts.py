"""The receipt's fonts: Noto Sans, with Arabic, Hebrew and CJK faces for what it lacks."""

from __future__ import annotations

import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


@dataclass(frozen=True, slots=True)
class FontFile:
    """A TrueType file inside an installed package, found by path: the package is never imported
    (the bundle ships the file, not the package's helpers)."""

    face: str
    package: str
    path: str
    # The outline stroke, in ems, that brings the file's default instance up to Regular: some of
    # these variable fonts default to Thin, and reportlab draws only the default instance.
    thicken: float = 0.0

    def location(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"the font package {self.package} is not installed")
        return Path(next(iter(spec.submodule_search_locations))) / self.path


# In fallback order: each character is drawn in the first face that has it. The files are
# variable fonts and reportlab draws their default instance: Regular for Noto Sans and Arabic,
# Thin for the others, which are thickened to match.
_THIN_TO_REGULAR = 0.045
FONT_FILES = (
    FontFile("NotoSans", "fontpkg_noto_sans", "files/NotoSans[wdth,wght].ttf"),
    FontFile(
        "NotoSansArabic",
        "justmytype_intl_rtl",
        "fonts/ofl/notosansarabic/NotoSansArabic[wdth,wght].ttf",
    ),
    FontFile(
        "NotoSansHebrew",
        "justmytype_intl_rtl",
        "fonts/ofl/notosanshebrew/NotoSansHebrew[wdth,wght].ttf",
        _THIN_TO_REGULAR,
    ),
    # Simplified Chinese's face also has the Traditional Han most names use and Japanese kana;
    # Korean's adds Hangul.
    FontFile(
        "NotoSansSC",
        "justmytype_intl_cjk",
        "fonts/ofl/notosanssc/NotoSansSC[wght].ttf",
        _THIN_TO_REGULAR,
    ),
    FontFile(
        "NotoSansKR",
        "justmytype_intl_cjk",
        "fonts/ofl/notosanskr/NotoSansKR[wght].ttf",
        _THIN_TO_REGULAR,
    ),
)
PRIMARY_FACE = FONT_FILES[0].face
_RTL = frozenset({"R", "AL"})  # the bidirectional classes of right-to-left letters
THICKEN = {file.face: file.thicken for file in FONT_FILES}


@cache
def _font(index: int) -> TTFont:
    # Registered on first use: a receipt in Latin script never loads the 18 MB CJK face.
    file = FONT_FILES[index]
    # Not ASCII-readable: each subset holds only the glyphs drawn, not all of ASCII besides,
    # which makes a receipt's embedded font, its widths and its text map smaller and quicker to
    # write (text still extracts through the font's ToUnicode map).
    font = TTFont(file.face, str(file.location()), asciiReadable=False)
    pdfmetrics.registerFont(font)
    return font


def primary_face() -> str:
    """The face text starts in, registered with reportlab, so a canvas can begin in it."""
    _font(0)
    return PRIMARY_FACE


def _has_glyph(index: int, char: str) -> bool:
    return ord(char) in _font(index).face.charToGlyph


@cache
def _face_for(char: str) -> str:
    # Remembered per character: a receipt asks for the same few dozen thousands of times.
    # Spaces and marks shared by every script stay in the primary face, so a run breaks less.
    if _has_glyph(0, char):
        return PRIMARY_FACE
    for index in range(1, len(FONT_FILES)):
        if _has_glyph(index, char):
            return FONT_FILES[index].face
    return PRIMARY_FACE  # drawn as the missing-glyph box: no shipped face has it


def font_runs(text: str) -> list[tuple[str, str]]:
    """`text` as (face, characters) runs in the order to draw them, left to right."""
    return [(face, "".join(run)) for face, run in groupby(visual_order(text), _face_for)]


def visual_order(text: str) -> str:
    """Arabic letters joined and right-to-left words reversed, as a reader sees them; text with
    no right-to-left character is returned as it is."""
    if text.isascii() or not any(unicodedata.bidirectional(char) in _RTL for char in text):
        return text
    # Imported here: only right-to-left text pays for them (the reshaper loads fontTools when
    # it can find it, a tenth of a second).
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text), base_dir="L"))


def runs_width(runs: list[tuple[str, str]], size: float) -> float:
    """How wide `runs` (from font_runs) are drawn at `size` points."""
    return sum(pdfmetrics.stringWidth(run, face, size) for face, run in runs)
