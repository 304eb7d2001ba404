"""Start at login: per user, opt-in, removable, the same entry the installers write.

- Windows: the value "crmdesk" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run,
  holding `"<exe>" --minimized`.
- Linux (and other freedesktop systems): $XDG_CONFIG_HOME/autostart/crmdesk.desktop
  (default ~/.config/autostart).
- macOS: ~/Library/LaunchAgents/app.crmdesk.plist (RunAtLoad).

`is_enabled()`, `enable(command)`, `disable()` take an `env` mapping (HOME, XDG_CONFIG_HOME;
default os.environ), a `platform` (default sys.platform) and, on Windows, a `registry` object
with winreg's interface, so tests run every platform's code anywhere. Nothing is read or written
at import time; winreg is imported only on Windows.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

APP_NAME = "crmdesk"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
DESKTOP_FILE = "crmdesk.desktop"
LAUNCH_AGENT_LABEL = "app.crmdesk"
MINIMIZED = "--minimized"


def launch_command(executable: str | None = None, frozen: bool | None = None,
                   platform: str | None = None) -> list[str]:
    """How to start this crmdesk: the frozen executable itself; for a source or pip install,
    the `crmdesk` script beside the Python interpreter, else `python -m crmdesk`."""
    executable = executable or sys.executable
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    platform = platform or sys.platform
    if frozen:
        return [executable]
    folder = Path(executable).parent
    names = ("crmdesk.exe", "crmdesk-script.pyw") if platform == "win32" else ("crmdesk",)
    for name in names:
        script = folder / name
        if script.is_file():
            return [str(script)]
    if platform == "win32":  # pythonw: no console window at login
        windowed = folder / "pythonw.exe"
        if windowed.is_file():
            executable = str(windowed)
    return [executable, "-m", "crmdesk"]


def _with_minimized(command: Sequence[str]) -> list[str]:
    command = list(command)
    return command if MINIMIZED in command else [*command, MINIMIZED]


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def desktop_file_path(env: Mapping[str, str] | None = None) -> Path:
    env = _env(env)
    config = env.get("XDG_CONFIG_HOME")
    base = Path(config) if config and Path(config).is_absolute() else _home(env) / ".config"
    return base / "autostart" / DESKTOP_FILE


def launch_agent_path(env: Mapping[str, str] | None = None) -> Path:
    return _home(_env(env)) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def _desktop_exec(command: Sequence[str]) -> str:
    """The Exec= value per the Desktop Entry spec: an argument with reserved characters is put
    in double quotes with a backslash before " ` $ and \\, a literal % is doubled, and then
    the value as a whole gets the string escape (each backslash doubled)."""
    def quote(argument: str) -> str:
        argument = argument.replace("%", "%%")
        if argument and not any(c in argument for c in ' \t\n"\'\\><~|&;$*?#()`'):
            return argument
        return '"' + "".join("\\" + c if c in '"`$\\' else c for c in argument) + '"'

    return " ".join(quote(argument) for argument in command).replace("\\", "\\\\")


def windows_command_line(command: Sequence[str]) -> str:
    """`"C:\\...\\crmdesk.exe" --minimized`: the program always quoted, as installers do."""
    program, *rest = command
    return " ".join([f'"{program}"', subprocess.list2cmdline(rest)]).strip()


def _desktop_entry(command: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP_NAME}",
        "Comment=Customer book and reminders",
        f"Exec={_desktop_exec(command)}",
        "Icon=crmdesk",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


class _Windows:
    def __init__(self, registry):
        if registry is None:
            import winreg as registry
        self.reg = registry

    def is_enabled(self) -> bool:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = self.reg.QueryValueEx(key, APP_NAME)
        except OSError:
            return False
        return bool(value)

    def enable(self, command: Sequence[str]) -> None:
        with self.reg.CreateKey(self.reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            self.reg.SetValueEx(key, APP_NAME, 0, self.reg.REG_SZ, windows_command_line(command))

    def disable(self) -> None:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, RUN_KEY, 0,
                                  self.reg.KEY_SET_VALUE) as key:
                self.reg.DeleteValue(key, APP_NAME)
        except FileNotFoundError:
            pass


def _is_windows(platform: str | None) -> bool:
    return (platform or sys.platform) == "win32"


def _is_macos(platform: str | None) -> bool:
    return (platform or sys.platform) == "darwin"


def is_enabled(env: Mapping[str, str] | None = None, platform: str | None = None,
               registry=None) -> bool:
    """Whether crmdesk starts at login for this user."""
    if _is_windows(platform):
        return _Windows(registry).is_enabled()
    if _is_macos(platform):
        path = launch_agent_path(env)
        if not path.is_file():
            return False
        try:
            return not plistlib.loads(path.read_bytes()).get("Disabled", False)
        except (plistlib.InvalidFileException, ValueError, OSError):
            return False
    path = desktop_file_path(env)
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return not any(line.strip().replace(" ", "") in ("Hidden=true",
                                                     "X-GNOME-Autostart-enabled=false")
                   for line in lines)


def enable(command: Sequence[str] | None = None, env: Mapping[str, str] | None = None,
           platform: str | None = None, registry=None) -> None:
    """Start `command` (default: `launch_command()`) with --minimized at login."""
    command = _with_minimized(command or launch_command(platform=platform))
    if _is_windows(platform):
        _Windows(registry).enable(command)
        return
    if _is_macos(platform):
        path = launch_agent_path(env)
        data = plistlib.dumps({"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": command,
                               "RunAtLoad": True, "ProcessType": "Interactive"})
    else:
        path = desktop_file_path(env)
        data = _desktop_entry(command).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def disable(env: Mapping[str, str] | None = None, platform: str | None = None,
            registry=None) -> None:
    """Stop starting at login; nothing happens if it was not on."""
    if _is_windows(platform):
        _Windows(registry).disable()
        return
    path = launch_agent_path(env) if _is_macos(platform) else desktop_file_path(env)
    path.unlink(missing_ok=True)
