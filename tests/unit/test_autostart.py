"""Start at login, on each platform, in a private HOME (and a fake Windows registry)."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from crmdesk.desktop import autostart


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


COMMAND = ["/opt/crm desk/bin/crmdesk"]


def desktop_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


# --- Linux ------------------------------------------------------------------------------------

def test_linux_enable_writes_an_autostart_entry_that_starts_minimized(env, tmp_path):
    assert not autostart.is_enabled(env, platform="linux")

    autostart.enable(COMMAND, env, platform="linux")

    path = tmp_path / "config" / "autostart" / "crmdesk.desktop"
    values = desktop_values(path)
    assert values["Exec"] == '"/opt/crm desk/bin/crmdesk" --minimized'
    assert parse_exec(values["Exec"]) == ["/opt/crm desk/bin/crmdesk", "--minimized"]
    assert values["Type"] == "Application"
    assert values["X-GNOME-Autostart-enabled"] == "true"
    assert autostart.is_enabled(env, platform="linux")


def test_linux_disable_removes_the_entry_and_can_be_repeated(env, tmp_path):
    autostart.enable(COMMAND, env, platform="linux")

    autostart.disable(env, platform="linux")
    autostart.disable(env, platform="linux")

    assert not (tmp_path / "config" / "autostart" / "crmdesk.desktop").exists()
    assert not autostart.is_enabled(env, platform="linux")


@pytest.mark.parametrize("config", [None, "", "relative/config"])
def test_linux_uses_dot_config_when_xdg_config_home_is_unset_or_not_absolute(tmp_path, config):
    env = {"HOME": str(tmp_path)}
    if config is not None:
        env["XDG_CONFIG_HOME"] = config

    autostart.enable(COMMAND, env, platform="linux")

    assert (tmp_path / ".config" / "autostart" / "crmdesk.desktop").is_file()


def test_linux_an_entry_the_user_switched_off_counts_as_off(env, tmp_path):
    autostart.enable(COMMAND, env, platform="linux")
    path = tmp_path / "config" / "autostart" / "crmdesk.desktop"
    path.write_text(path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                             "X-GNOME-Autostart-enabled=false"))

    assert not autostart.is_enabled(env, platform="linux")


def parse_exec(value: str) -> list[str]:
    """What a launcher does with Exec= (Desktop Entry spec): undo the string escapes, split
    on spaces outside double quotes, drop the backslash before " ` $ \\ inside them, %% -> %."""
    value = value.replace("\\\\", "\\")
    arguments, current, quoted, index = [], None, False, 0
    while index < len(value):
        char = value[index]
        if quoted and char == "\\" and index + 1 < len(value):
            index += 1
            current += value[index]
        elif char == '"':
            quoted, current = not quoted, current or ""
        elif char == " " and not quoted:
            if current is not None:
                arguments.append(current)
            current = None
        else:
            current = (current or "") + char
        index += 1
    if current is not None:
        arguments.append(current)
    return [argument.replace("%%", "%") for argument in arguments]


def test_linux_exec_quotes_what_the_desktop_spec_reserves(env, tmp_path):
    command = ["/home/ana/my $shop/python", "-m", "crmdesk", 'say "hi"', "C:\\x", "100%"]

    autostart.enable(command, env, platform="linux")

    exec_line = desktop_values(tmp_path / "config" / "autostart" / "crmdesk.desktop")["Exec"]
    assert exec_line == ('"/home/ana/my \\\\$shop/python" -m crmdesk "say \\\\"hi\\\\"" '
                         '"C:\\\\\\\\x" 100%% --minimized')
    assert parse_exec(exec_line) == [*command, "--minimized"]


def test_enable_does_not_add_minimized_twice(env, tmp_path):
    autostart.enable(["/usr/bin/crmdesk", "--minimized"], env, platform="linux")

    exec_line = desktop_values(tmp_path / "config" / "autostart" / "crmdesk.desktop")["Exec"]
    assert exec_line == "/usr/bin/crmdesk --minimized"


# --- macOS ------------------------------------------------------------------------------------

def test_macos_enable_writes_a_launch_agent(env, tmp_path):
    autostart.enable(["/Applications/crmdesk.app/Contents/MacOS/crmdesk"], env,
                     platform="darwin")

    path = tmp_path / "home" / "Library" / "LaunchAgents" / "app.crmdesk.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "app.crmdesk"
    assert agent["ProgramArguments"] == ["/Applications/crmdesk.app/Contents/MacOS/crmdesk",
                                         "--minimized"]
    assert agent["RunAtLoad"] is True
    assert autostart.is_enabled(env, platform="darwin")
    assert not autostart.is_enabled(env, platform="linux")


def test_macos_disable_removes_the_agent(env, tmp_path):
    autostart.enable(COMMAND, env, platform="darwin")

    autostart.disable(env, platform="darwin")

    assert not (tmp_path / "home" / "Library" / "LaunchAgents" / "app.crmdesk.plist").exists()
    assert not autostart.is_enabled(env, platform="darwin")


def test_macos_a_broken_agent_file_counts_as_off(env, tmp_path):
    path = tmp_path / "home" / "Library" / "LaunchAgents" / "app.crmdesk.plist"
    path.parent.mkdir(parents=True)
    path.write_text("not a plist")

    assert not autostart.is_enabled(env, platform="darwin")


# --- Windows ----------------------------------------------------------------------------------

class FakeKey:
    def __init__(self, values: dict):
        self.values = values

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeWinreg:
    """The part of winreg that autostart uses, over a dict of key path -> values."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self):
        self.keys: dict[tuple[str, str], dict] = {}

    def OpenKey(self, root, path, reserved=0, access=0):  # noqa: N802 - winreg's names
        if (root, path) not in self.keys:
            raise FileNotFoundError(path)
        return FakeKey(self.keys[(root, path)])

    def CreateKey(self, root, path):  # noqa: N802
        return FakeKey(self.keys.setdefault((root, path), {}))

    def QueryValueEx(self, key, name):  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name], self.REG_SZ

    def SetValueEx(self, key, name, reserved, kind, value):  # noqa: N802
        key.values[name] = value

    def DeleteValue(self, key, name):  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]


def test_windows_enable_sets_the_run_value_the_installer_uses():
    registry = FakeWinreg()
    assert not autostart.is_enabled(platform="win32", registry=registry)

    autostart.enable([r"C:\Program Files\crmdesk\crmdesk.exe"], platform="win32",
                     registry=registry)

    run = registry.keys[("HKCU", r"Software\Microsoft\Windows\CurrentVersion\Run")]
    assert run == {"crmdesk": r'"C:\Program Files\crmdesk\crmdesk.exe" --minimized'}
    assert autostart.is_enabled(platform="win32", registry=registry)


def test_windows_disable_removes_only_our_value_and_can_be_repeated():
    registry = FakeWinreg()
    run = registry.CreateKey("HKCU", autostart.RUN_KEY).values
    run["OneDrive"] = r'"C:\OneDrive.exe" /background'
    autostart.enable([r"C:\crmdesk\crmdesk.exe"], platform="win32", registry=registry)

    autostart.disable(platform="win32", registry=registry)
    autostart.disable(platform="win32", registry=registry)

    assert run == {"OneDrive": r'"C:\OneDrive.exe" /background'}
    assert not autostart.is_enabled(platform="win32", registry=registry)


def test_windows_disable_without_a_run_key_does_nothing():
    autostart.disable(platform="win32", registry=FakeWinreg())


def test_windows_command_line_quotes_the_program_and_arguments():
    line = autostart.windows_command_line(
        [r"C:\Python 3\pythonw.exe", "-m", "crmdesk", r"--db=C:\My Books\shop.db"])

    assert line == r'"C:\Python 3\pythonw.exe" -m crmdesk "--db=C:\My Books\shop.db"'


# --- which command ----------------------------------------------------------------------------

def test_a_frozen_build_starts_itself():
    assert autostart.launch_command("/opt/crmdesk/crmdesk", frozen=True) == [
        "/opt/crmdesk/crmdesk"]


def test_a_source_install_uses_the_crmdesk_script_beside_python(tmp_path):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.touch()
    (tmp_path / "bin" / "crmdesk").touch()

    assert autostart.launch_command(str(python), frozen=False, platform="linux") == [
        str(tmp_path / "bin" / "crmdesk")]


def test_without_a_script_python_runs_the_module(tmp_path):
    python = tmp_path / "python3"
    python.touch()

    assert autostart.launch_command(str(python), frozen=False, platform="linux") == [
        str(python), "-m", "crmdesk"]


def test_on_windows_the_module_runs_under_pythonw_so_no_console_opens(tmp_path):
    (tmp_path / "python.exe").touch()
    (tmp_path / "pythonw.exe").touch()

    assert autostart.launch_command(str(tmp_path / "python.exe"), frozen=False,
                                    platform="win32") == [
        str(tmp_path / "pythonw.exe"), "-m", "crmdesk"]


def test_enable_without_a_command_uses_the_launch_command(env, tmp_path):
    autostart.enable(env=env, platform="linux")

    exec_line = desktop_values(tmp_path / "config" / "autostart" / "crmdesk.desktop")["Exec"]
    assert parse_exec(exec_line) == [*autostart.launch_command(), "--minimized"]
