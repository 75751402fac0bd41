"""The licence's printed furniture: the red frame, the emblem's place, the QR code."""

from __future__ import annotations

import math

import qrcode
from PIL import Image
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "GREY",
    "QR_PX_PER_MODULE",
    "RED",
    "draw_emblem_place",
    "draw_frame",
    "draw_qr",
    "qr_image",
]

RED = Color(0.78, 0.09, 0.11)  # the licence frame's red
GREY = Color(0.45, 0.45, 0.45)  # the placeholder's words: plainly not part of the licence
QR_PX_PER_MODULE = 8  # image pixels per QR module: a viewer that smooths scaled images stays sharp

# Insets of the frame's lines from the paper edge (reportlab points).
OUTER: float = 7 * mm
MIDDLE: float = 9 * mm
WAVE: float = 10.25 * mm
INNER: float = 11.5 * mm


def draw_frame(canvas: Canvas, width: float, height: float) -> None:
    """A red double border with a wave band between the lines and diamonds at the corners."""
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setFillColor(RED)
    for inset, line in ((OUTER, 2.0), (MIDDLE, 0.5), (INNER, 0.8)):
        canvas.setLineWidth(line)
        canvas.rect(inset, inset, width - 2 * inset, height - 2 * inset, stroke=1, fill=0)
    canvas.setLineWidth(0.4)
    _wave(canvas, WAVE, WAVE, width - WAVE, WAVE)
    _wave(canvas, WAVE, height - WAVE, width - WAVE, height - WAVE)
    _wave(canvas, WAVE, WAVE, WAVE, height - WAVE)
    _wave(canvas, width - WAVE, WAVE, width - WAVE, height - WAVE)
    for x in (WAVE, width - WAVE):
        for y in (WAVE, height - WAVE):
            _diamond(canvas, x, y, 1.6 * mm)
    canvas.restoreState()


def _wave(canvas: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    """A sine-like line from (x0, y0) to (x1, y1), one Bézier curve per half period."""
    length = math.hypot(x1 - x0, y1 - y0)
    halves = max(2, round(length / (3 * mm)))
    step = length / halves
    ux, uy = (x1 - x0) / length, (y1 - y0) / length  # along the line
    nx, ny = -uy, ux  # across it
    amplitude = 0.7 * mm
    path = canvas.beginPath()
    path.moveTo(x0, y0)
    for i in range(halves):
        side = amplitude * (1 if i % 2 == 0 else -1) * 4 / 3  # control offset for a sine bump
        a, b = i * step, (i + 1) * step
        path.curveTo(
            x0 + ux * (a + step / 3) + nx * side,
            y0 + uy * (a + step / 3) + ny * side,
            x0 + ux * (b - step / 3) + nx * side,
            y0 + uy * (b - step / 3) + ny * side,
            x0 + ux * b,
            y0 + uy * b,
        )
    canvas.drawPath(path, stroke=1, fill=0)


def _diamond(canvas: Canvas, x: float, y: float, radius: float) -> None:
    path = canvas.beginPath()
    path.moveTo(x, y + radius)
    path.lineTo(x + radius, y)
    path.lineTo(x, y - radius)
    path.lineTo(x - radius, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def draw_emblem_place(canvas: Canvas, x: float, y: float, size: float, font: str) -> None:
    """The place of the national emblem above the title: a dashed outline, `size` square with
    its lower-left corner at (x, y), that the issuing authority's printed form replaces."""
    # The emblem itself is not drawn: its use is regulated (国徽法), and a licence shows it
    # only as the issuing authority prints it.
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.roundRect(x, y, size, size, size / 8, stroke=1, fill=0)
    canvas.setFillColor(GREY)
    canvas.setFont(font, 9)
    canvas.drawCentredString(x + size / 2, y + size / 2 + 1, "国徽")
    canvas.setFont(font, 5)
    canvas.drawCentredString(x + size / 2, y + size / 2 - 6.5, "由登记机关套印")
    canvas.restoreState()


def qr_image(url: str) -> tuple[Image.Image, int]:
    """The QR code (level M, no quiet zone) for `url` as a greyscale image, and its module count."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    image = Image.new("L", (modules, modules), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    scaled = modules * QR_PX_PER_MODULE
    return image.resize((scaled, scaled), Image.Resampling.NEAREST), modules


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR for `url` as an opaque image `size` points square, lower-left at (x, y)."""
    image, _ = qr_image(url)
    # The quiet zone is the white paper around it (the layout keeps 4 modules clear).
    canvas.drawImage(ImageReader(image), x, y, size, size)
