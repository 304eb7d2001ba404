"""The Linux package: what it installs where, that its menu entry and AppStream data validate,
and that, installed with dpkg into a temporary root, its program passes its self-test and opens
the customer list offscreen and on an X display (xcb), then goes away on removal."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging_helpers import app_env, build, require_programs, run

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

DEB_BUDGET_BYTES = 60 * 1000 * 1000
METAINFO = "usr/share/metainfo/app.crmdesk.crmdesk.metainfo.xml"
DESKTOP = "usr/share/applications/crmdesk.desktop"


def field(deb: Path, name: str) -> str:
    return run(["dpkg-deb", "--field", deb, name]).stdout.strip()


@pytest.fixture(scope="module")
def unpacked(deb_file, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("unpacked")
    done = run(["dpkg-deb", "-x", deb_file, root])
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def installed(deb_file, tmp_path_factory):
    """The package installed by dpkg into an empty root of its own; removed at the end."""
    root = tmp_path_factory.mktemp("root")
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    dpkg = ["dpkg", f"--root={root}", "--log=/dev/null", "--force-not-root",
            "--force-script-chrootless", "--force-depends"]  # the root holds no libc6 etc.
    done = run([*dpkg, "--install", deb_file])
    assert done.returncode == 0, done.stdout + done.stderr
    yield root, dpkg


def test_package_names_itself_and_what_it_needs(deb_file):
    assert field(deb_file, "Package") == "crmdesk"
    assert field(deb_file, "Version") == build.version()
    depends = field(deb_file, "Depends")
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libegl1", "libgl1",
                    "libfontconfig1", "libdbus-1-3", "libxcb1"):
        assert re.search(rf"(^|, ){re.escape(package)}(,|$)", depends), package
    assert re.search(r"(^|, )libc6 \(>= 2\.\d+\)", depends)


def test_every_dependency_is_met_by_this_debian(deb_file):
    # .ci/run installs the xcb runtime, so apt must find every dependency (names and versions,
    # glibc's included) already installed: it would install crmdesk and nothing else.
    require_programs("apt-get")
    done = run(["apt-get", "install", "--simulate", "--no-install-recommends",
                deb_file.resolve()])
    installs = re.findall(r"^Inst (\S+)", done.stdout, re.M)

    assert done.returncode == 0, done.stdout + done.stderr
    assert installs == ["crmdesk"], done.stdout


def test_package_is_within_its_size_budget(deb_file):
    size = deb_file.stat().st_size
    print(f".deb: {size / 1e6:.1f} MB ({size} bytes)")

    assert size <= DEB_BUDGET_BYTES


def test_files_are_where_a_linux_desktop_looks(unpacked):
    assert (unpacked / "opt/crmdesk/crmdesk").is_file()
    launcher = unpacked / "usr/bin/crmdesk"
    assert launcher.is_symlink() and launcher.resolve() == (unpacked / "opt/crmdesk/crmdesk")
    assert (unpacked / DESKTOP).is_file()
    assert (unpacked / METAINFO).is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (unpacked / f"usr/share/icons/hicolor/{size}x{size}/apps/crmdesk.png").is_file()
    assert (unpacked / "usr/share/icons/hicolor/scalable/apps/crmdesk.svg").is_file()
    desktop = (unpacked / DESKTOP).read_text(encoding="utf-8")
    assert "\nExec=crmdesk\n" in desktop and "\nIcon=crmdesk\n" in desktop


def test_desktop_file_validates(unpacked):
    require_programs("desktop-file-validate")
    done = run(["desktop-file-validate", unpacked / DESKTOP])

    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_appstream_metainfo_validates(unpacked):
    require_programs("appstreamcli")
    single = run(["appstreamcli", "validate", "--no-net", "--pedantic", unpacked / METAINFO])
    tree = run(["appstreamcli", "validate-tree", "--no-net", unpacked])

    assert single.returncode == 0, single.stdout + single.stderr
    assert tree.returncode == 0, tree.stdout + tree.stderr
    assert f'version="{build.version()}"' in (unpacked / METAINFO).read_text(encoding="utf-8")


def test_installed_program_passes_its_self_test_offscreen(installed, tmp_path):
    root, _dpkg = installed
    done = run([root / "usr/bin/crmdesk", "--self-test"],
               env=app_env(tmp_path, QT_QPA_PLATFORM="offscreen"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"(frozen: {root / 'opt/crmdesk/crmdesk'};" in done.stdout


def test_installed_program_runs_on_xcb_under_xvfb(installed, xvfb_display, demo_db, tmp_path):
    root, _dpkg = installed
    env = app_env(tmp_path / "home", QT_QPA_PLATFORM="xcb", DISPLAY=xvfb_display)
    checked = run([root / "usr/bin/crmdesk", "--self-test"], env=env)
    book = tmp_path / "book.db"
    shutil.copyfile(demo_db, book)
    window = run([root / "usr/bin/crmdesk", "--db", book, "--ready-and-exit"], env=env)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok    Qt platform: xcb" in checked.stdout
    # the real window opened on X and painted the customer list
    assert window.returncode == 0, window.stdout + window.stderr
    assert re.search(r"^ready \d+$", window.stdout, re.M), window.stdout


def test_removing_the_package_removes_the_program(installed):
    root, dpkg = installed
    done = run([*dpkg, "--purge", "crmdesk"])

    assert done.returncode == 0, done.stdout + done.stderr
    assert not (root / "opt/crmdesk").exists()
    assert not (root / "usr/bin/crmdesk").is_symlink()
    assert not (root / DESKTOP).exists()
    status = subprocess.run(["dpkg", f"--root={root}", "--status", "crmdesk"],
                            capture_output=True, text=True)
    assert status.returncode != 0
