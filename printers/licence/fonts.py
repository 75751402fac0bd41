"""The CJK fonts embedded in the licence PDF: found once, registered with reportlab once.

Body text is set in AR PL UMing (fonts-arphic-uming), a Ming/Song face like the real licence;
small print in WenQuanYi Micro Hei (fonts-wqy-microhei). Both are TrueType, which reportlab can
subset and embed; the Noto CJK fonts are OpenType/CFF, which it cannot. A character neither
face has (𠮷, U+20BB7, is outside both) is drawn as a small greyscale picture rendered by
Pillow from an installed font that has it (Noto CJK included), of the same regular weight as
the text around it; failing that, a visible □.
"""

from __future__ import annotations

import functools
import itertools
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from printers.base import PrinterConfigError

__all__ = [
    "MISSING_GLYPH",
    "REGULAR_WEIGHT",
    "FontFace",
    "GlyphPicture",
    "LicenceFonts",
    "choose_face",
    "glyph_picture",
    "load_fonts",
]

MISSING_GLYPH = "□"  # drawn where no installed font has the character
FC_TIMEOUT = 5.0  # seconds; fc-match/fc-list answer from a cache in milliseconds
GLYPH_PX = 96  # pixels per em for pictured glyphs: ~600 dpi at 11 pt, sharp on a laser printer


@dataclass(frozen=True)
class FontFace:
    """One installed TrueType face: where it is and which Debian package ships it."""

    family: str  # as fontconfig names it, for fc-match
    path: str
    index: int  # face index inside a .ttc collection
    package: str


UMING = FontFace(
    "AR PL UMing CN", "/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"
)
WQY_MICROHEI = FontFace(
    "WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei"
)
BODY_FACES = (UMING, WQY_MICROHEI)  # first found wins
SMALL_FACES = (WQY_MICROHEI, UMING)


@dataclass(frozen=True)
class LicenceFonts:
    """The reportlab names of the registered faces and the characters each one covers."""

    body: str
    small: str
    coverage: dict[str, frozenset[int]]  # reportlab font name -> code points it has a glyph for

    def font_for(self, char: str, preferred: str) -> str | None:
        """The registered font to draw `char` in, preferring `preferred`; None if none has it."""
        code = ord(char)
        if code in self.coverage[preferred]:
            return preferred
        for name, covered in self.coverage.items():
            if code in covered:
                return name
        return None


_lock = threading.Lock()
_loaded: LicenceFonts | None = None


def load_fonts() -> LicenceFonts:
    """Find and register the licence fonts on first use (about 0.2 s); later calls are free."""
    global _loaded
    if _loaded is None:  # checked again under the lock: two first prints may race
        with _lock:
            if _loaded is None:
                _loaded = _register()
    return _loaded


def _register() -> LicenceFonts:
    body = _open_first(BODY_FACES, "LicenceBody")
    if body is None:
        packages = " or ".join(face.package for face in BODY_FACES)
        raise PrinterConfigError(
            "no CJK TrueType font for the licence PDF: install the Debian package "
            f"{packages} (looked for {', '.join(f.path for f in BODY_FACES)} and asked fc-match)"
        )
    small = _open_first(SMALL_FACES, "LicenceSmall") or body
    coverage: dict[str, frozenset[int]] = {}
    for font in (body, small):
        if font.fontName not in coverage:
            pdfmetrics.registerFont(font)
            coverage[font.fontName] = frozenset(font.face.charToGlyph)
    return LicenceFonts(body=body.fontName, small=small.fontName, coverage=coverage)


def _open_first(candidates: tuple[FontFace, ...], name: str) -> TTFont | None:
    """Load the first candidate that is installed (Debian path, else fc-match) as TrueType."""
    found = (face for face in map(_fc_match, candidates) if face is not None)  # lazy: fc-match
    for face in itertools.chain(candidates, found):  # runs only if no Debian path works
        if not Path(face.path).is_file():
            continue
        try:
            return TTFont(name, face.path, subfontIndex=face.index)
        except (TTFError, OSError):
            # A CFF (OpenType) face fails here: reportlab embeds TrueType outlines only.
            continue
    return None


def _fc_match(face: FontFace) -> FontFace | None:
    output = _fontconfig("fc-match", "-f", "%{family}|%{file}|%{index}", face.family)
    family, _, rest = output.partition("|")
    path, _, index = rest.partition("|")
    # fc-match always answers with *some* font; only the family asked for will do.
    if face.family.lower() not in family.lower() or not path:
        return None
    return FontFace(face.family, path, int(index or 0), face.package)


def _fontconfig(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return ""
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, arguments are not from users
            command, capture_output=True, text=True, timeout=FC_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


@dataclass(frozen=True)
class GlyphPicture:
    """A character rendered as a greyscale picture, with its advance and baseline in ems."""

    image: Image.Image
    advance: float  # horizontal advance, in ems
    descent: float  # how far the picture reaches below the baseline, in ems
    height: float  # picture height, in ems


@functools.lru_cache(maxsize=256)
def glyph_picture(char: str) -> GlyphPicture | None:
    """`char` pictured from any installed font that has it (OpenType too), or None."""
    listing = _fontconfig(
        "fc-list", "--format", "%{file}|%{index}|%{weight}|%{family}\n", f":charset={ord(char):x}"
    )
    chosen = choose_face(listing)
    if chosen is None:
        return None
    path, index = chosen
    try:
        return _picture(char, ImageFont.truetype(path, GLYPH_PX, index=int(index or 0)))
    except (OSError, ValueError):  # a broken or bitmap-only font: show □ rather than fail
        return None


REGULAR_WEIGHT = 80  # fontconfig's weight of a regular (book) face; bold is 200


def choose_face(listing: str) -> tuple[str, int] | None:
    """The face to picture a character from, out of fc-list lines "file|index|weight|family".

    The weight of the text around it comes first (the licence is set in regular UMing: a rare
    character from a Bold file would stand out), then a serif (Song/Ming) face like UMing,
    then a simplified-Chinese one; the file name only breaks ties, so NotoSerifCJK-Bold.ttc
    never wins over NotoSerifCJK-Regular.ttc by sorting first.
    """
    faces: list[tuple[tuple[float, bool, bool, str], str, int]] = []
    for line in listing.splitlines():
        parts = line.split("|", 3)
        if len(parts) != 4:
            continue
        path, number, weight, family = parts
        try:
            distance = abs(float(weight.split()[0].strip("[]")) - REGULAR_WEIGHT)
        except (ValueError, IndexError):  # a variable font answers "[min max]"; or nothing
            distance = float(REGULAR_WEIGHT)
        serif = "Serif" in family or "Ming" in family
        key = (distance, not serif, " SC" not in family, path)
        faces.append((key, path, int(number or 0)))
    if not faces:
        return None
    _, best, index = min(faces)
    return best, index


def _picture(char: str, font: ImageFont.FreeTypeFont) -> GlyphPicture:
    ascent, descent = font.getmetrics()
    advance = font.getlength(char)
    # Opaque white background, no alpha: a soft mask is transparency, which makes Ghostscript's
    # PostScript output (the CUPS filter chain) rasterise the whole page.
    image = Image.new("L", (max(1, round(advance)), ascent + descent), 255)
    ImageDraw.Draw(image).text((0, ascent), char, font=font, fill=0, anchor="ls")
    return GlyphPicture(
        image, advance / GLYPH_PX, descent / GLYPH_PX, (ascent + descent) / GLYPH_PX
    )
