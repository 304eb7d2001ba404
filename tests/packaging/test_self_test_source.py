"""`crmdesk --self-test` from source (quick, so in the quick loop too): one line per check, a
verdict, exit 0 only when every check passed, and a failing check named."""

from __future__ import annotations

import sys

from packaging_helpers import app_env, run

from crmdesk import selftest


def test_self_test_from_source_passes_offscreen(tmp_path):
    done = run([sys.executable, "-m", "crmdesk", "--self-test"],
               env=app_env(tmp_path, QT_QPA_PLATFORM="offscreen"))
    lines = done.stdout.splitlines()

    assert done.returncode == 0, done.stdout + done.stderr
    assert "(from source:" in lines[0]
    checks = len(selftest.CHECKS)
    assert [line[:6] for line in lines[1:-1]] == ["ok    "] * checks
    assert lines[-1] == f"self-test passed: {checks} of {checks} checks"


def _broken(_report):
    raise selftest.CheckFailed("the thing is missing")


def _crashing(_report):
    return {}["nope"]


def test_failed_and_crashing_checks_are_named(tmp_path, capsys):
    report = tmp_path / "report.txt"
    status = selftest.run(report, checks=(("good", lambda _report: "all there"),
                                          ("broken", _broken), ("crashing", _crashing)))
    out = capsys.readouterr().out
    lines = out.splitlines()

    assert status == selftest.EXIT_FAILED
    assert lines[1:3] == ["ok    good: all there", "FAIL  broken: the thing is missing"]
    assert lines[3].startswith("FAIL  crashing: KeyError: 'nope'")
    assert lines[-1] == "self-test FAILED: broken, crashing"
    assert report.read_text(encoding="utf-8") == out


def test_a_missing_icon_fails_the_resources_check(qapp, monkeypatch, capsys):
    from crmdesk.ui import icons

    real = icons.svg_source.__wrapped__

    def without_bell(relative: str) -> bytes:
        if relative == "icons/bell.svg":
            raise FileNotFoundError(relative)
        return real(relative)

    monkeypatch.setattr(icons, "svg_source", without_bell)
    status = selftest.run(checks=(("resources", selftest.check_resources),))

    assert status == selftest.EXIT_FAILED
    assert "FAIL  resources: missing: icons/bell.svg" in capsys.readouterr().out


def test_a_build_without_the_desktop_platform_plugin_fails(qapp, monkeypatch, capsys):
    # Running offscreen, the self-test still insists that the plugin a desktop needs is there.
    monkeypatch.setattr(selftest, "_plugin_files", lambda _folder: {"offscreen", "minimal"})
    monkeypatch.setattr(selftest.sys, "platform", "linux")
    status = selftest.run(checks=(("Qt platform", selftest.check_qt),))

    assert status == selftest.EXIT_FAILED
    assert "the xcb platform plugin that a desktop session needs is missing" in (
        capsys.readouterr().out)


def test_a_module_that_does_not_import_fails_the_modules_check(monkeypatch, capsys):
    import importlib

    real = importlib.import_module

    def without_export_csv(name, *args):
        if name == "crmdesk.formats.export_csv":
            raise ImportError("No module named 'csv' (left out of the build)")
        return real(name, *args)

    monkeypatch.setattr(selftest.importlib, "import_module", without_export_csv)
    status = selftest.run(checks=(("modules", selftest.check_modules),))

    out = capsys.readouterr().out
    assert status == selftest.EXIT_FAILED
    assert "do not import: crmdesk.formats.export_csv (ImportError: No module named 'csv'" in out
