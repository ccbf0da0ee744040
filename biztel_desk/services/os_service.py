"""Linking that starts with the OS: ``biztel-desk sync`` registered as a per-user background service.

One service per data dir and database: a systemd user unit (Linux, ``Restart=on-failure``), a launchd LaunchAgent
(macOS, ``KeepAlive`` on failure) or a Task Scheduler task at logon (Windows, restart on failure). The service runs
``biztel-desk --data-dir DIR [--db-url URL] sync --service`` as the current user, so it reads the same settings and the same
OS keyring as the window. A database password never goes into the service file: ``install`` moves it from the URL
into the keyring (``services.db_password``), and the service's URL names the user only.

Files are generated here (plain text, testable on any OS); the platform's own tool registers them:
``systemctl --user``, ``launchctl bootstrap/bootout``, ``schtasks /Create /XML``.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.messages import render

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]

LINUX, MACOS, WINDOWS = "linux", "macos", "windows"
LAUNCHD_PREFIX = "jp.biztel-desk.sync"
SYSTEMD_PREFIX = "biztel-desk-sync"
SCHTASKS_FOLDER = "BIZTEL Desk"
RESTART_DELAY_S = 10  # after a crash (exit ≠ 0): long enough not to spin on a database that is down

MESSAGES: dict[str, tuple[str, str]] = {
    "service_tool_missing": (
        "{tool} が見つかりません。この環境ではバックグラウンド連携を登録できません({platform})。"
        "代わりに biztel-desk sync を自動起動に登録してください。",
        "{tool} was not found: the background service cannot be registered here ({platform}). "
        "Start biztel-desk sync with the OS by other means.",
    ),
    "service_tool_failed": (
        "{tool} が失敗しました(終了コード {exit_code}): {detail}",
        "{tool} failed (exit code {exit_code}): {detail}",
    ),
    "service_not_installed": (
        "バックグラウンド連携はこのデータフォルダには登録されていません。biztel-desk service install で登録します。",
        "No background service is installed for this data folder; biztel-desk service install installs one.",
    ),
    "service_unsupported": (
        "この OS ({platform}) ではバックグラウンド連携を登録できません。",
        "The background service is not supported on this OS ({platform}).",
    ),
}


class ServiceError(KnownError):
    """Registering or controlling the service failed; ``text(lang)`` says why and what to do."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params

    def text(self, lang: str = "ja") -> str:
        return render(MESSAGES, {}, self.code, lang, **self.params)


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return WINDOWS
    if sys.platform == "darwin":
        return MACOS
    return LINUX


def service_id(data_dir: Path, db_url: str | None) -> str:
    """8 hex digits that tell this data dir + database's service from another profile's on the same account."""
    key = f"{Path(data_dir).expanduser().resolve()}\n{db_url or ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def sync_argv(data_dir: Path, db_url: str | None, executable: str | None = None, frozen: bool | None = None) -> list[str]:
    """The command the service runs: this installation's ``biztel-desk sync`` on the same data dir and database."""
    executable = executable or sys.executable
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    argv = [executable] if frozen else [executable, "-m", "biztel_desk"]
    argv += ["--data-dir", str(Path(data_dir).expanduser().resolve())]
    if db_url:
        argv += ["--db-url", db_url]
    return [*argv, "sync", "--service"]  # --service: its heartbeat tells the window that the OS service links


@dataclass(frozen=True)
class ServiceDefinition:
    """What ``install`` writes and registers, and the commands that control it (see ``definition``)."""

    platform: str
    name: str  # the unit / label / task name
    path: Path  # where the file goes
    content: bytes  # the file
    argv: list[str]
    register: list[list[str]] = field(default_factory=list)
    unregister: list[list[str]] = field(default_factory=list)
    start: list[list[str]] = field(default_factory=list)
    stop: list[list[str]] = field(default_factory=list)
    status: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        encoding = "utf-16" if self.platform == WINDOWS else "utf-8"
        return self.content.decode(encoding)


def definition(data_dir: Path, db_url: str | None = None, platform: str | None = None, *,
               home: Path | None = None, executable: str | None = None, frozen: bool | None = None,
               user: str | None = None, uid: int | None = None) -> ServiceDefinition:
    """The service for ``data_dir`` (+ ``db_url``, without its password) on ``platform`` (default: this OS)."""
    platform = platform or current_platform()
    home = home or Path.home()
    data_dir = Path(data_dir).expanduser().resolve()
    ident = service_id(data_dir, db_url)
    argv = sync_argv(data_dir, db_url, executable, frozen)
    if platform == LINUX:
        name = f"{SYSTEMD_PREFIX}-{ident}.service"
        path = home / ".config" / "systemd" / "user" / name
        systemctl = ["systemctl", "--user"]
        return ServiceDefinition(
            LINUX, name, path, systemd_unit(argv, data_dir).encode("utf-8"), argv,
            register=[[*systemctl, "daemon-reload"], [*systemctl, "enable", "--now", name]],
            unregister=[[*systemctl, "disable", "--now", name]],
            start=[[*systemctl, "start", name]], stop=[[*systemctl, "stop", name]],
            status=[*systemctl, "show", name, "--property=LoadState,ActiveState,SubState,MainPID,NRestarts,"
                    "ExecMainStatus,UnitFileState"],
        )
    if platform == MACOS:
        label = f"{LAUNCHD_PREFIX}.{ident}"
        path = home / "Library" / "LaunchAgents" / f"{label}.plist"
        domain = f"gui/{os.getuid() if uid is None else uid}"
        return ServiceDefinition(
            MACOS, label, path, launchd_plist(label, argv, data_dir), argv,
            register=[["launchctl", "bootstrap", domain, str(path)]],
            unregister=[["launchctl", "bootout", f"{domain}/{label}"]],
            start=[["launchctl", "kickstart", f"{domain}/{label}"]],
            stop=[["launchctl", "kill", "SIGTERM", f"{domain}/{label}"]],
            status=["launchctl", "print", f"{domain}/{label}"],
        )
    if platform == WINDOWS:
        task = f"\\{SCHTASKS_FOLDER}\\sync-{ident}"
        path = data_dir / "service" / f"sync-{ident}.xml"
        who = user or _windows_user()
        return ServiceDefinition(
            WINDOWS, task, path, task_scheduler_xml(task, argv, data_dir, who), argv,
            register=[["schtasks", "/Create", "/TN", task, "/XML", str(path), "/F"], ["schtasks", "/Run", "/TN", task]],
            unregister=[["schtasks", "/End", "/TN", task], ["schtasks", "/Delete", "/TN", task, "/F"]],
            start=[["schtasks", "/Run", "/TN", task]], stop=[["schtasks", "/End", "/TN", task]],
            status=["schtasks", "/Query", "/TN", task, "/FO", "LIST", "/V"],
        )
    raise ServiceError("service_unsupported", platform=platform)


def _windows_user() -> str:
    domain = os.environ.get("USERDOMAIN", "")
    name = os.environ.get("USERNAME") or os.environ.get("USER") or "user"
    return f"{domain}\\{name}" if domain else name


def _systemd_quote(argument: str) -> str:
    """One ExecStart word: systemd's own quoting (double quotes, backslash escapes; % and $ doubled)."""
    text = argument.replace("%", "%%").replace("$", "$$")
    if text and all(c.isalnum() or c in "-_./:+=@," for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(argv: Sequence[str], data_dir: Path) -> str:
    return "\n".join([
        "[Unit]",
        f"Description=BIZTEL Desk call linking ({_systemd_quote(str(data_dir))})",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in argv),
        "Restart=on-failure",
        f"RestartSec={RESTART_DELAY_S}",
        # sync stops cleanly on SIGTERM (the send in flight is finished or left for the next start).
        "KillSignal=SIGTERM",
        "TimeoutStopSec=60",
        "Environment=PYTHONUNBUFFERED=1",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])


def launchd_plist(label: str, argv: Sequence[str], data_dir: Path) -> bytes:
    logs = data_dir / "logs"
    return plistlib.dumps({
        "Label": label,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        # Restarted when it exits with a failure; a clean stop (service stop, logout) stays stopped.
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_DELAY_S,
        "ProcessType": "Background",
        "WorkingDirectory": str(data_dir),
        "StandardOutPath": str(logs / "service.out.log"),
        "StandardErrorPath": str(logs / "service.err.log"),
        "EnvironmentVariables": {"PYTHONUNBUFFERED": "1"},
    })


TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def task_scheduler_xml(task: str, argv: Sequence[str], data_dir: Path, user: str) -> bytes:
    """A Task Scheduler 1.2 task: at logon of ``user``, no time limit, restart on failure; UTF-16 as schtasks wants."""
    command, arguments = argv[0], subprocess.list2cmdline(list(argv[1:]))
    if command.lower().endswith("python.exe"):  # no console window for a background job
        command = command[: -len("python.exe")] + "pythonw.exe"
    xml = f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{TASK_NAMESPACE}">
  <RegistrationInfo>
    <Description>BIZTEL Desk call linking ({escape(str(data_dir))})</Description>
    <URI>{escape(task)}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>{escape(user)}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{escape(user)}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(command)}</Command>
      <Arguments>{escape(arguments)}</Arguments>
      <WorkingDirectory>{escape(str(data_dir))}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
"""
    return xml.encode("utf-16")


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=60, check=False)
    except FileNotFoundError:
        raise ServiceError("service_tool_missing", tool=argv[0], platform=current_platform()) from None


@dataclass(frozen=True)
class ServiceStatus:
    installed: bool
    running: bool
    detail: dict[str, str]  # the platform tool's own fields (ActiveState, NRestarts, "Status", …)
    path: Path


class ServiceManager:
    """install / uninstall / start / stop / status of one ``ServiceDefinition`` with the platform's tool."""

    def __init__(self, service: ServiceDefinition, run: Runner | None = None) -> None:
        self.service = service
        self.run_tool = run or _run

    def _check(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        done = self.run_tool(argv)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout or "").strip().splitlines()
            raise ServiceError("service_tool_failed", tool=shlex.join(argv[:2]), exit_code=done.returncode,
                               detail=detail[-1] if detail else "")
        return done

    def install(self) -> None:
        """Write the file (0600: it names the data dir and database) and register it; re-install replaces it."""
        path = self.service.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.service.platform != WINDOWS and self.installed():
            self._quietly(self.service.unregister)  # a re-install picks up the new file
        temporary = path.with_name(path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(self.service.content)
        os.replace(temporary, path)
        if self.service.platform == MACOS:
            (Path(self.service.argv[self.service.argv.index("--data-dir") + 1]) / "logs").mkdir(
                parents=True, exist_ok=True)
        try:
            for argv in self.service.register:
                self._check(argv)
        except ServiceError:
            # Not registered: no file that would make the window believe a service links this data dir.
            self._quietly(self.service.unregister)
            path.unlink(missing_ok=True)
            raise

    def uninstall(self) -> bool:
        """Stop and unregister; False when nothing was installed. Removes only the file ``install`` wrote."""
        if not self.installed():
            return False
        self._quietly(self.service.unregister)
        self.service.path.unlink(missing_ok=True)
        if self.service.platform == LINUX:
            self._quietly([["systemctl", "--user", "daemon-reload"]])
        return True

    def start(self) -> None:
        self._require_installed()
        for argv in self.service.start:
            self._check(argv)

    def stop(self) -> None:
        self._require_installed()
        for argv in self.service.stop:
            self._check(argv)

    def installed(self) -> bool:
        return self.service.path.exists()

    def status(self) -> ServiceStatus:
        if not self.installed():
            return ServiceStatus(False, False, {}, self.service.path)
        done = self.run_tool(self.service.status)
        detail = parse_status(self.service.platform, done.stdout if done.returncode == 0 else "")
        return ServiceStatus(True, is_running(self.service.platform, detail), detail, self.service.path)

    def _require_installed(self) -> None:
        if not self.installed():
            raise ServiceError("service_not_installed")

    def _quietly(self, commands: Sequence[Sequence[str]]) -> None:
        for argv in commands:
            try:
                self.run_tool(argv)
            except ServiceError:
                pass  # already gone, or the tool is missing: the file is removed either way


def parse_status(platform: str, text: str) -> dict[str, str]:
    """``Key=Value`` (systemctl show), ``key = value`` (launchctl print) or ``Key: Value`` (schtasks /V)."""
    detail: dict[str, str] = {}
    separator = "=" if platform in (LINUX, MACOS) else ":"
    for line in text.splitlines():
        key, found, value = line.partition(separator)
        if found and key.strip() and key.strip() not in detail:
            detail[key.strip()] = value.strip()
    return detail


def is_running(platform: str, detail: dict[str, str]) -> bool:
    if platform == LINUX:
        return detail.get("ActiveState") == "active"
    if platform == MACOS:
        return detail.get("state") == "running"
    return detail.get("Status", "").lower() == "running"


def installed_for(data_dir: Path, platform: str | None = None, home: Path | None = None) -> bool:
    """Whether a service of this installation links ``data_dir`` (whatever its database URL): the window then
    need not stay open for linking to go on."""
    platform = platform or current_platform()
    home = home or Path.home()
    folders = {LINUX: (home / ".config" / "systemd" / "user", f"{SYSTEMD_PREFIX}-*.service"),
               MACOS: (home / "Library" / "LaunchAgents", f"{LAUNCHD_PREFIX}.*.plist"),
               WINDOWS: (Path(data_dir).expanduser().resolve() / "service", "sync-*.xml")}
    if platform not in folders:
        return False
    folder, pattern = folders[platform]
    wanted = str(Path(data_dir).expanduser().resolve())
    encoding = "utf-16" if platform == WINDOWS else "utf-8"
    for path in folder.glob(pattern):
        try:
            text = path.read_bytes().decode(encoding, errors="replace")
        except OSError:
            continue
        if wanted in text or escape(wanted) in text or _systemd_quote(wanted) in text:
            return True
    return False


# --- the window's システム設定 → バックグラウンド連携 ------------------------------------------------------------------


class ProfileService:
    """The service of the window's profile (its data dir and database), for システム設定 → バックグラウンド連携.

    Every method blocks (the platform's tool runs): the window calls them in a job, never on the GUI thread.
    ``database_url`` is the open database's URL; a SQLite database is the data dir's own (the service gets no URL).
    A password in the URL goes to the keyring on ``install`` (``services.db_password``), never into the file.
    """

    def __init__(self, data_dir: Path, database_url: str, secrets: Any = None, run: Runner | None = None) -> None:
        from biztel_desk.services import db_password

        self.data_dir = Path(data_dir)
        self.secrets = secrets
        self._url = None if database_url.startswith("sqlite") else database_url
        public = db_password.split(self._url)[0] if self._url else None
        self.manager = ServiceManager(definition(self.data_dir, public), run)

    def status(self) -> ServiceStatus:
        return self.manager.status()

    def install(self) -> ServiceStatus:
        from biztel_desk.services import db_password

        if self._url and self.secrets is not None:
            db_password.store(self.secrets, self._url)
        self.manager.install()
        return self.manager.status()

    def uninstall(self) -> ServiceStatus:
        self.manager.uninstall()
        return self.manager.status()

    def start(self) -> ServiceStatus:
        self.manager.start()
        return self.manager.status()

    def stop(self) -> ServiceStatus:
        self.manager.stop()
        return self.manager.status()
