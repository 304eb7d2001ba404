"""Render the app icon's PNG sizes, a Windows .ico and a macOS .icns from its one SVG source.

    python resources/make_icons.py               # the PNGs, into resources/ (committed)
    python resources/make_icons.py --out DIR     # PNGs, crmdesk.ico and crmdesk.icns into DIR

reads src/crmdesk/resources/crmdesk.svg and writes crmdesk-<size>.png for each size below and,
with --out, crmdesk.ico (16 to 256 px) and crmdesk.icns (16 to 1024 px), with Qt's offscreen
platform (no display needed). Both container formats simply hold PNG images, so no other library
is needed. The .ico and .icns are made at build time (packaging/crmdesk.spec and build.py) and are
not committed; the PNGs in resources/ are, so re-run this after changing the SVG.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "src" / "crmdesk" / "resources" / "crmdesk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: The .icns element types that hold a PNG, with their pixel size (Apple's "icp4" ... "ic14").
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
    (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256),
    (b"ic14", 512),
)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A .ico holding each PNG as one image (Windows Vista and later read PNG entries)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data),
                                 offset + len(images))
        images += data
    return header + directory + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A .icns holding a PNG element for each type in ICNS_TYPES."""
    body = b""
    for kind, size in ICNS_TYPES:
        data = pngs[size]
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def render_pngs(svg: bytes, sizes) -> dict[int, bytes]:
    """The SVG drawn at each size, as PNG bytes (Qt offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - painting
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("not a valid SVG")
    result = {}
    for size in sorted(set(sizes)):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise OSError(f"could not encode the {size} px PNG")
        result[size] = bytes(buffer.data())
    return result


def make_icons(out: Path, source: Path = SOURCE, containers: bool = True) -> list[Path]:
    """Write the PNGs and (`containers`) crmdesk.ico and crmdesk.icns into `out`; returns the
    files written."""
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(SIZES) | set(ICO_SIZES) | {size for _kind, size in ICNS_TYPES}
    pngs = render_pngs(source.read_bytes(), wanted)
    written = []
    for size in SIZES:
        target = out / f"crmdesk-{size}.png"
        target.write_bytes(pngs[size])
        written.append(target)
    if not containers:
        return written
    for name, data in (("crmdesk.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES})),
                       ("crmdesk.icns", icns_bytes(pngs))):
        target = out / name
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write the PNGs, .ico and .icns into (default: only the "
                             "PNGs, into resources/)")
    args = parser.parse_args(argv)
    try:
        written = make_icons(args.out or HERE, containers=args.out is not None)
    except (OSError, ValueError) as exc:
        print(f"make_icons: {exc} ({SOURCE})", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
