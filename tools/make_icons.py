"""Draws the BIZTEL Desk application icon with QPainter (offscreen) and writes every format the builds need.

    python tools/make_icons.py [--out resources/icons]

Writes ``biztel-desk-<N>.png`` for N in 16…1024 (the window icon and the Linux build), ``biztel-desk.ico``
(Windows: 16–256 px, PNG-compressed entries) and ``biztel-desk.icns`` (macOS: 16–1024 px, PNG entries).
The icon — a telephone handset with sound waves on a blue-to-teal rounded square — is drawn from vectors at
every size, so the small sizes stay sharp. The output is deterministic; commit it after changing the drawing.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QTransform,
)

from biztel_desk import resources_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = resources_path("icons")  # resources/icons of this checkout
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns entry types holding PNG data: (type, pixel size).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))


def _handset() -> QPainterPath:
    """A telephone handset in a 100 x 100 box: two rounded cups joined by a curved grip."""
    grip = QPainterPath()
    grip.moveTo(24, 30)
    grip.cubicTo(16, 52, 30, 72, 52, 80)
    stroker = QPainterPathStroker()
    stroker.setWidth(13)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    shape = stroker.createStroke(grip)
    for centre, angle in ((QPointF(25, 27), -20.0), (QPointF(55, 79), 70.0)):
        cup = QPainterPath()
        cup.addRoundedRect(QRectF(-11, -7, 22, 14), 5, 5)
        transform = QTransform()
        transform.translate(centre.x(), centre.y())
        transform.rotate(angle)
        shape = shape.united(transform.map(cup))
    return shape.simplified()


def draw(size: int) -> QImage:
    """The icon at ``size`` x ``size`` pixels, transparent outside the rounded square."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 100, size / 100)
    margin = 0 if size <= 32 else 4  # small sizes use the whole square; large ones leave macOS-like padding
    box = QRectF(margin, margin, 100 - 2 * margin, 100 - 2 * margin)
    gradient = QLinearGradient(box.topLeft(), box.bottomRight())
    gradient.setColorAt(0, QColor("#1E6FD9"))
    gradient.setColorAt(1, QColor("#0E9F8E"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    painter.drawRoundedRect(box, 22, 22)

    painter.translate(box.x() + box.width() * 0.11, box.y() + box.height() * 0.06)
    painter.scale(box.width() / 100 * 0.9, box.height() / 100 * 0.9)
    painter.setBrush(QColor("white"))
    painter.drawPath(_handset())
    # Sound waves from the ear cup: two arcs (one at 16 px, where two would blur together).
    pen = QPen(QColor("white"), 7.5 if size > 32 else 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    radii = (20, 36) if size > 16 else (26,)
    for radius in radii:
        painter.drawArc(QRectF(40 - radius, 44 - radius, 2 * radius, 2 * radius), 5 * 16, 80 * 16)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """A Windows .ico with PNG-compressed entries (Windows Vista and later read them at every size)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = images[size]
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def icns_bytes(images: dict[int, bytes]) -> bytes:
    """A macOS .icns whose entries are PNG images (10.7 and later)."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(images[size])) + images[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the app icon and write PNG, ICO and ICNS files.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    pngs = {size: png_bytes(draw(size)) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    for size in PNG_SIZES:
        (out / f"biztel-desk-{size}.png").write_bytes(pngs[size])
    (out / "biztel-desk.ico").write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    (out / "biztel-desk.icns").write_bytes(icns_bytes(pngs))
    for path in sorted(out.iterdir()):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
