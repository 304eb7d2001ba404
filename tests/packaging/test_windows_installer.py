"""The Windows installer: packaging/windows/crmdesk.nsi compiles with Debian's makensis
(amd64-unicode, warnings as errors), carries its version and signing hook, and, run silently
under wine, installs, upgrades in place and uninstalls per user, keeping the customer book.

A Windows build of the app cannot be made on Linux (PyInstaller freezes for the OS it runs on),
so the installers here wrap a small stand-in program folder with the same layout
(crmdesk.exe and _internal/); the installer script does not care what the files contain.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from packaging_helpers import build, require_programs, run

from crmdesk.desktop import autostart

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

RUN_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
UNINSTALL_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\crmdesk"
OLD, NEW = "0.1.0", "0.2.0"


def stand_in_app(folder: Path, version: str, only_in_this_version: str) -> Path:
    """A program folder shaped like PyInstaller's one-folder Windows build."""
    (folder / "_internal").mkdir(parents=True)
    (folder / "crmdesk.exe").write_bytes(b"MZ stand-in for crmdesk " + version.encode())
    (folder / "_internal" / "base_library.zip").write_bytes(version.encode())
    (folder / "_internal" / only_in_this_version).write_bytes(b"x")
    return folder


@pytest.fixture(scope="module")
def installers(tmp_path_factory) -> dict[str, Path]:
    require_programs("makensis")
    base = tmp_path_factory.mktemp("nsis")
    made = {}
    for version, only in ((OLD, "old-only.dll"), (NEW, "new-only.dll")):
        app = stand_in_app(base / f"app-{version}", version, only)
        made[version] = build.build_windows_installer(app, out=base / "out", version_=version,
                                                      sign_command="")
    return made


def pe_machine(path: Path) -> int:
    data = path.read_bytes()
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[offset:offset + 4] == b"PE\0\0"
    return struct.unpack_from("<H", data, offset + 4)[0]


def test_installer_compiles_for_64_bit_windows(installers):
    for installer in installers.values():
        assert installer.is_file()
        assert pe_machine(installer) == 0x8664  # AMD64


def test_installer_carries_its_version(installers):
    data = installers[NEW].read_bytes()

    assert "ProductVersion".encode("utf-16-le") in data
    assert f"{NEW}".encode("utf-16-le") in data


def test_signing_hook_signs_installer_and_uninstaller(tmp_path):
    require_programs("makensis")
    signed = tmp_path / "signed.txt"
    signer = tmp_path / "sign.sh"
    signer.write_text(f'#!/bin/sh\necho "$1" >> "{signed}"\n', encoding="utf-8")
    signer.chmod(0o755)
    app = stand_in_app(tmp_path / "app", OLD, "x.dll")
    installer = build.build_windows_installer(app, out=tmp_path / "out", version_=OLD,
                                              sign_command=str(signer))

    lines = signed.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the uninstaller (a temporary file) first, then the installer
    assert Path(lines[1]) == installer.resolve()


def test_a_failing_signature_stops_the_build(tmp_path):
    require_programs("makensis")
    app = stand_in_app(tmp_path / "app", OLD, "x.dll")

    with pytest.raises(build.BuildError):
        build.build_windows_installer(app, out=tmp_path / "out", version_=OLD,
                                      sign_command="false")


# --- under wine --------------------------------------------------------------------------------

class Wine:
    """A throwaway wine prefix (and HOME) under a temporary folder, without a display."""

    def __init__(self, base: Path):
        self.prefix, self.home = base / "prefix", base / "home"
        self.home.mkdir(parents=True)
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
        self.env.update(WINEPREFIX=str(self.prefix), HOME=str(self.home), WINEARCH="win64",
                        WINEDEBUG="-all", XDG_CONFIG_HOME=str(self.home / ".config"),
                        XDG_DATA_HOME=str(self.home / ".local" / "share"),
                        # no Mono/Gecko download prompts, no menu entries on the host
                        WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d")

    def __call__(self, *argv, timeout: float = 300):
        done = run(["wine", *argv], env=self.env, timeout=timeout)
        self.wait()
        return done

    def wait(self) -> None:
        """Until every program in the prefix has ended (an uninstaller restarts itself)."""
        run(["wineserver", "-w"], env=self.env, timeout=300)

    def boot(self) -> None:
        done = run(["wineboot", "--init"], env=self.env, timeout=300)
        assert done.returncode == 0, done.stderr
        self.wait()

    def stop(self) -> None:
        run(["wineserver", "-k"], env=self.env, timeout=60)

    @property
    def user(self) -> Path:
        users = [p for p in (self.prefix / "drive_c" / "users").iterdir() if p.name != "Public"]
        assert len(users) == 1, users
        return users[0]

    def windows_path(self, path: Path) -> str:
        return "C:\\" + str(path.relative_to(self.prefix / "drive_c")).replace("/", "\\")

    def reg_value(self, key: str, name: str) -> str | None:
        done = self("reg", "query", key, "/v", name)
        if done.returncode != 0:
            return None
        for line in done.stdout.splitlines():
            parts = line.strip().split(None, 2)  # name, type, value
            if parts[:1] == [name] and len(parts) >= 2:
                return parts[2] if len(parts) == 3 else ""
        return None

    def key_exists(self, key: str) -> bool:
        return self("reg", "query", key).returncode == 0


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    require_programs("wine", "wineserver", "wineboot")
    prefix = Wine(tmp_path_factory.mktemp("wine"))
    prefix.boot()
    yield prefix
    prefix.stop()


def test_install_upgrade_uninstall_under_wine_keeps_the_customer_book(installers, wine):
    local = wine.user / "AppData" / "Local"
    program_dir = local / "Programs" / "crmdesk"
    program = program_dir / "crmdesk.exe"
    start_menu = (wine.user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu"
                  / "Programs" / "crmdesk.lnk")
    desktop = wine.user / "Desktop" / "crmdesk.lnk"
    book = local / "crmdesk" / "crmdesk.db"  # platformdirs' user_data_path("crmdesk")
    book.parent.mkdir(parents=True)
    book.write_bytes(b"the shop's customers")
    # exactly what the app's own "Start at login" setting writes
    run_value = autostart.windows_command_line([wine.windows_path(program), "--minimized"])

    # 1. first install, silent, per user, with "Start at login"
    done = wine(installers[OLD], "/S", "/AUTOSTART=1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert program.read_bytes().endswith(OLD.encode())
    assert (program_dir / "_internal" / "old-only.dll").is_file()
    assert (program_dir / "uninstall.exe").is_file()
    assert start_menu.is_file() and desktop.is_file()
    assert wine.reg_value(RUN_KEY, "crmdesk") == run_value
    assert wine.reg_value(UNINSTALL_KEY, "DisplayVersion") == OLD
    assert wine.reg_value(UNINSTALL_KEY, "InstallLocation") == wine.windows_path(program_dir)
    assert wine.reg_value(UNINSTALL_KEY, "QuietUninstallString") == (
        f'"{wine.windows_path(program_dir / "uninstall.exe")}" /S')
    assert book.read_bytes() == b"the shop's customers"

    # 2. upgrade in place: the old files go, the choices stay, the book is untouched
    done = wine(installers[NEW], "/S")
    assert done.returncode == 0, done.stdout + done.stderr
    assert program.read_bytes().endswith(NEW.encode())
    assert (program_dir / "_internal" / "new-only.dll").is_file()
    assert not (program_dir / "_internal" / "old-only.dll").exists()
    assert start_menu.is_file() and desktop.is_file()
    assert wine.reg_value(RUN_KEY, "crmdesk") == run_value
    assert wine.reg_value(UNINSTALL_KEY, "DisplayVersion") == NEW
    assert book.read_bytes() == b"the shop's customers"

    # 3. uninstall: program files, shortcuts, the Run value and the entry go; the book stays
    done = wine(program_dir / "uninstall.exe", "/S")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not program_dir.exists()
    assert not start_menu.exists() and not desktop.exists()
    assert wine.reg_value(RUN_KEY, "crmdesk") is None
    assert not wine.key_exists(UNINSTALL_KEY)
    assert book.read_bytes() == b"the shop's customers"


def test_silent_options_leave_out_the_desktop_shortcut_and_autostart(installers, wine):
    program_dir = wine.user / "AppData" / "Local" / "Programs" / "crmdesk"
    desktop = wine.user / "Desktop" / "crmdesk.lnk"

    done = wine(installers[NEW], "/S", "/DESKTOP=0", "/AUTOSTART=0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (program_dir / "crmdesk.exe").is_file()
    assert not desktop.exists()
    assert wine.reg_value(RUN_KEY, "crmdesk") is None

    # Turning "Start at login" on later in the app, then upgrading, keeps it on.
    program = wine.windows_path(program_dir / "crmdesk.exe")
    value = autostart.windows_command_line([program, "--minimized"])
    assert wine("reg", "add", RUN_KEY, "/v", "crmdesk", "/t", "REG_SZ", "/d", value,
                "/f").returncode == 0
    done = wine(installers[NEW], "/S")
    assert done.returncode == 0
    assert wine.reg_value(RUN_KEY, "crmdesk") == value
    assert not desktop.exists()  # the shortcut the user did not want stays away

    done = wine(program_dir / "uninstall.exe", "/S")
    assert done.returncode == 0
    assert not program_dir.exists()
    assert wine.reg_value(RUN_KEY, "crmdesk") is None
