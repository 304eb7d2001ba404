"""The installers' icons, made from the one SVG by resources/make_icons.py (quick)."""

from __future__ import annotations

import struct
import sys

from packaging_helpers import ROOT, run


def test_make_icons_writes_png_sizes_an_ico_and_an_icns(tmp_path, qapp):
    from PySide6.QtGui import QImage, QImageReader

    done = run([sys.executable, ROOT / "resources" / "make_icons.py", "--out", tmp_path])
    assert done.returncode == 0, done.stderr

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(tmp_path / f"crmdesk-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() > 0  # something is drawn

    ico = (tmp_path / "crmdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    sides = sorted(ico[6 + 16 * i] or 256 for i in range(count))
    assert (reserved, kind, sides) == (0, 1, [16, 24, 32, 48, 64, 128, 256])
    reader = QImageReader(str(tmp_path / "crmdesk.ico"))
    assert reader.imageCount() == 7 and reader.canRead()  # Qt reads it as Windows would

    icns = (tmp_path / "crmdesk.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    kinds, offset = [], 8
    while offset < len(icns):
        kinds.append(icns[offset:offset + 4])
        offset += struct.unpack_from(">I", icns, offset + 4)[0]
    assert b"ic10" in kinds and b"ic07" in kinds and len(kinds) == 11


def test_a_plain_run_writes_only_the_committed_pngs(tmp_path, monkeypatch):
    # Without --out the script writes into resources/; it must not leave .ico/.icns there.
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_icons",
                                                  ROOT / "resources" / "make_icons.py")
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    monkeypatch.setattr(make_icons, "HERE", tmp_path)
    assert make_icons.main([]) == 0

    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".png"] * 8
