"""Build crmdesk for a shop owner's computer: the one-folder app, the .deb, the Windows installer.

    python packaging/build.py app              # dist/crmdesk/ with PyInstaller, for this OS
    python packaging/build.py deb              # dist/crmdesk_<version>_<arch>.deb (Linux)
    python packaging/build.py windows          # dist/crmdesk-<version>-setup.exe (makensis)
    python packaging/build.py all              # app, then the installer of this OS

`deb` and `windows` package the one-folder app already in dist/crmdesk (or --app DIR). The
Windows installer script also compiles on Linux with Debian's makensis (a check of the script;
the program files must come from a Windows build). On macOS, `packaging/macos/make_dmg.sh`
makes the .dmg from dist/crmdesk.app. See docs/PACKAGING.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
SPEC = PACKAGING / "crmdesk.spec"
NSIS_SCRIPT = PACKAGING / "windows" / "crmdesk.nsi"
METAINFO = "app.crmdesk.crmdesk.metainfo.xml"

#: Installed on the system, not in the bundle: what the xcb platform plugin and Qt load from the
#: system (PyInstaller leaves libGL, libEGL and libxcb out on purpose; the others are bundled
#: today, and declared so the package still works if a later build leaves them out), and
#: libdbus for notifications.
DEB_DEPENDS = (
    "libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-randr0", "libxcb-xkb1", "libxcb-xfixes0",
    "libxcb-sync1", "libxcb-shm0", "libxcb-render0", "libx11-xcb1", "libxkbcommon0",
    "libxkbcommon-x11-0", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libdbus-1-3",
)
#: The Debian package of each library the bundle links to but does not carry.
SYSTEM_LIBRARIES = {
    "libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6", "librt.so.1": "libc6", "libresolv.so.2": "libc6",
    "libutil.so.1": "libc6", "ld-linux-x86-64.so.2": "libc6", "ld-linux-aarch64.so.1": "libc6",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0", "libxcb.so.1": "libxcb1",
}
_GLIBC_LIBRARIES = {name for name, package in SYSTEM_LIBRARIES.items() if package == "libc6"}


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def version() -> str:
    text = (ROOT / "src" / "crmdesk" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, check=True, **kwargs)
    except FileNotFoundError as exc:
        raise BuildError(f"{argv[0]} is not installed") from exc
    except subprocess.CalledProcessError as exc:
        raise BuildError(f"{' '.join(map(str, argv))} failed with exit status "
                         f"{exc.returncode}") from exc


# --- the one-folder app -------------------------------------------------------------------------

def build_app(dist: Path = ROOT / "dist", work: Path = ROOT / "build" / "pyinstaller") -> Path:
    """Run PyInstaller on packaging/crmdesk.spec; returns the one-folder app (dist/crmdesk)."""
    _run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
          "--distpath", str(dist), "--workpath", str(work), str(SPEC)])
    app = dist / "crmdesk"
    if not (app / program_name()).is_file():
        raise BuildError(f"PyInstaller made no {app / program_name()}")
    return app


def program_name(platform: str = sys.platform) -> str:
    return "crmdesk.exe" if platform == "win32" else "crmdesk"


def folder_size(folder: Path) -> int:
    """Bytes in the files under `folder` (symbolic links not followed or counted)."""
    return sum(path.lstat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


# --- Linux .deb ---------------------------------------------------------------------------------

def _elf_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def system_requirements(app: Path) -> tuple[set[str], str | None]:
    """The Debian packages the bundle's ELF files need from the system, and the newest glibc
    symbol version they use ("2.34"), from `objdump -p` (DT_NEEDED, version references)."""
    provided, needed, glibc = set(), set(), []
    for path in app.rglob("*"):
        provided.add(path.name)
    for path in _elf_files(app):
        output = _run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
        source = None
        for line in output.splitlines():
            words = line.split()
            if words[:1] == ["NEEDED"]:
                needed.add(words[1])
            elif line.startswith("  required from "):
                source = line.split("required from ", 1)[1].rstrip(":")
            elif source in _GLIBC_LIBRARIES and words and words[-1].startswith("GLIBC_2."):
                glibc.append(tuple(int(n) for n in words[-1][len("GLIBC_"):].split(".")))
            elif not line.startswith("    "):
                source = None
    unknown = sorted(name for name in needed - provided if name not in SYSTEM_LIBRARIES)
    if unknown:
        raise BuildError("the bundle links to system libraries with no Debian package named in "
                         f"packaging/build.py SYSTEM_LIBRARIES: {', '.join(unknown)}")
    packages = {SYSTEM_LIBRARIES[name] for name in needed - provided}
    newest = ".".join(map(str, max(glibc))) if glibc else None
    return packages, newest


def deb_architecture() -> str:
    done = _run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    return done.stdout.strip()


def _copy_app(app: Path, target: Path) -> None:
    shutil.copytree(app, target, symlinks=True)
    for path in [target, *target.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or os.access(path, os.X_OK)
        path.chmod(0o755 if executable else 0o644)


def build_deb(app: Path, out: Path = ROOT / "dist", version_: str | None = None,
              staging: Path | None = None) -> Path:
    """A .deb with the app in /opt/crmdesk, /usr/bin/crmdesk, the menu entry, the icons and
    the AppStream metainfo; returns its path."""
    version_ = version_ or version()
    arch = deb_architecture()
    staging = staging or ROOT / "build" / "deb"
    root = staging / f"crmdesk_{version_}_{arch}"
    if root.exists():
        shutil.rmtree(root)
    _copy_app(app, root / "opt" / "crmdesk")
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "crmdesk").symlink_to("../../opt/crmdesk/crmdesk")
    share = root / "usr" / "share"
    _install(LINUX / "crmdesk.desktop", share / "applications" / "crmdesk.desktop")
    metainfo = (LINUX / METAINFO).read_text(encoding="utf-8")
    metainfo = metainfo.replace("@VERSION@", version_).replace("@DATE@", _release_date())
    _install_text(metainfo, share / "metainfo" / METAINFO)
    icons = staging / "icons"
    _run([sys.executable, str(ROOT / "resources" / "make_icons.py"), "--out", str(icons)],
         stdout=subprocess.DEVNULL)
    for png in icons.glob("crmdesk-*.png"):
        size = png.stem.split("-")[1]
        _install(png, share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "crmdesk.png")
    _install(ROOT / "src" / "crmdesk" / "resources" / "crmdesk.svg",
             share / "icons" / "hicolor" / "scalable" / "apps" / "crmdesk.svg")
    _install_text(_copyright(), share / "doc" / "crmdesk" / "copyright")

    packages, glibc = system_requirements(root / "opt" / "crmdesk")
    depends = sorted(set(DEB_DEPENDS) | packages - {"libc6"})
    if glibc:
        depends.insert(0, f"libc6 (>= {glibc})")
    installed_kib = (folder_size(root) + 1023) // 1024
    control = "\n".join([
        "Package: crmdesk",
        f"Version: {version_}",
        f"Architecture: {arch}",
        "Maintainer: " + os.environ.get("CRMDESK_MAINTAINER", "crmdesk <crmdesk@example.com>"),
        f"Installed-Size: {installed_kib}",
        "Depends: " + ", ".join(depends),
        "Section: misc",
        "Priority: optional",
        "Description: customer book with reminders for small shops",
        " crmdesk keeps a shop's customers in one book on this computer: names, phone",
        " numbers, tastes, purchases and conversations. From the system tray it reminds",
        " you of birthdays, anniversaries, follow-ups and customers not seen for a while.",
        " Everything works offline.",
        "",
    ])
    _install_text(control, root / "DEBIAN" / "control")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"crmdesk_{version_}_{arch}.deb"
    _run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
         stdout=subprocess.DEVNULL)
    return target


def _release_date() -> str:
    # SOURCE_DATE_EPOCH makes the package reproducible; else today.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return day.date().isoformat()


def _copyright() -> str:
    return ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
            "Upstream-Name: crmdesk\n\nFiles: *\nCopyright: crmdesk\nLicense: proprietary\n"
            " The program bundles Qt, PySide6 and Python under their own licenses (LGPLv3, PSF),\n"
            " found in /opt/crmdesk/_internal.\n")


def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o644)


def _install_text(text: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o644)


# --- Windows installer --------------------------------------------------------------------------

def windows_version_numbers(version_: str) -> str:
    """The four numbers Windows' version resource wants: "0.2.0rc1" -> "0.2.0.0"."""
    leading = re.match(r"\d+(?:\.\d+)*", version_)
    numbers = [int(part) for part in leading.group(0).split(".")[:3]] if leading else []
    return ".".join(map(str, numbers + [0] * (4 - len(numbers))))


def build_windows_installer(app: Path, out: Path = ROOT / "dist", version_: str | None = None,
                            makensis: str = "makensis",
                            sign_command: str | None = None) -> Path:
    """Compile packaging/windows/crmdesk.nsi around the one-folder app `app` (warnings are
    errors); returns the installer. `sign_command` (default: $CRMDESK_SIGN_COMMAND) is run on
    the installer and its uninstaller as `<command> "<file>"` before they are final."""
    version_ = version_ or version()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"crmdesk-{version_}-setup.exe"
    icons = Path(tempfile.mkdtemp(prefix="crmdesk-icons-"))
    _run([sys.executable, str(ROOT / "resources" / "make_icons.py"), "--out", str(icons)],
         stdout=subprocess.DEVNULL)
    sign_command = sign_command if sign_command is not None else os.environ.get(
        "CRMDESK_SIGN_COMMAND", "")
    # makensis takes /D on Windows and -D elsewhere; "-" works on both.
    argv = [makensis, "-V2", "-WX", "-INPUTCHARSET", "UTF8",
            f"-DVERSION={version_}", f"-DVERSION_NUMBERS={windows_version_numbers(version_)}",
            f"-DAPP_DIR={app.resolve()}", f"-DOUT_FILE={target.resolve()}",
            f"-DICON={(icons / 'crmdesk.ico').resolve()}"]
    if sign_command:
        argv.append(f"-DSIGN_COMMAND={sign_command}")
    argv.append(str(NSIS_SCRIPT))
    try:
        _run(argv)
    finally:
        shutil.rmtree(icons, ignore_errors=True)
    return target


# --- command line -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("app", "deb", "windows", "all"))
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--app", type=Path, default=None,
                        help="the one-folder app to package (default: DIST/crmdesk)")
    args = parser.parse_args(argv)
    app = args.app or args.dist / "crmdesk"
    try:
        if args.what in ("app", "all"):
            app = build_app(args.dist)
            print(f"built {app} ({folder_size(app) / 1e6:.1f} MB)")
        if args.what == "deb" or (args.what == "all" and sys.platform.startswith("linux")):
            deb = build_deb(app, args.dist)
            print(f"built {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
        if args.what == "windows" or (args.what == "all" and sys.platform == "win32"):
            setup = build_windows_installer(app, args.dist)
            print(f"built {setup} ({setup.stat().st_size / 1e6:.1f} MB)")
    except BuildError as exc:
        print(f"build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
