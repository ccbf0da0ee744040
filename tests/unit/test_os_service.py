"""The background service (services/os_service.py): files checked by the platforms' own rules, install/uninstall.

The systemd unit is checked by ``systemd-analyze verify`` (systemd's own parser: any warning fails); the launchd
plist round-trips through plistlib (what ``plutil -lint`` checks: a well-formed property list) with launchd's key
types; the Task Scheduler XML parses as UTF-16 with the task namespace and only the element names of the Task
Scheduler 1.2 schema. Install/uninstall run against a real ``systemctl --user`` where the machine has a user
manager, else against a stand-in ``systemctl`` on PATH that records its arguments (this CI machine runs no systemd).
"""

from __future__ import annotations

import argparse
import os
import plistlib
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from biztel_desk import cli
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services import db_password, os_service

TRICKY = "data dir 50% $HOME \"quoted\" 日本"


def _data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / TRICKY
    directory.mkdir()
    return directory


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    service = os_service.definition(_data_dir(tmp_path), "postgresql+psycopg://biztel@db.example/biztel",
                                    os_service.LINUX, home=tmp_path / "home")
    unit = tmp_path / service.name
    unit.write_bytes(service.content)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(["systemd-analyze", "verify", "--user", str(unit)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""  # systemd warns on values it ignores
    text = service.text
    assert "Restart=on-failure" in text and "WantedBy=default.target" in text
    assert "%%" in text and "$$" in text  # systemd specifiers and variables escaped in the data dir


def test_a_broken_unit_is_what_systemd_analyze_refuses(tmp_path: Path) -> None:
    """The check above can fail: the same verify rejects a unit with a bad value (so a passing verify means something)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    service = os_service.definition(tmp_path, None, os_service.LINUX, home=tmp_path / "home")
    unit = tmp_path / "broken.service"
    unit.write_text(service.text.replace("Restart=on-failure", "Restart=sometimes"), encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(["systemd-analyze", "verify", "--user", str(unit)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, check=False)
    assert "sometimes" in done.stderr


def test_the_launchd_plist_is_a_valid_launch_agent(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    service = os_service.definition(data_dir, None, os_service.MACOS, home=tmp_path / "home", uid=501)
    agent = plistlib.loads(service.content)
    assert agent["Label"] == service.name and service.path.name == f"{service.name}.plist"
    assert service.path.parent == tmp_path / "home" / "Library" / "LaunchAgents"
    assert agent["ProgramArguments"] == service.argv
    assert agent["ProgramArguments"][-2:] == ["sync", "--service"]
    assert agent["ProgramArguments"][agent["ProgramArguments"].index("--data-dir") + 1] == str(data_dir.resolve())
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert isinstance(agent["ThrottleInterval"], int)
    assert service.register == [["launchctl", "bootstrap", "gui/501", str(service.path)]]


SCHEMA_ELEMENTS = {  # the element names of the Task Scheduler 1.2 schema used in a task (learn.microsoft.com)
    "Task", "RegistrationInfo", "Description", "URI", "Triggers", "LogonTrigger", "Enabled", "UserId", "Principals",
    "Principal", "LogonType", "RunLevel", "Settings", "MultipleInstancesPolicy", "DisallowStartIfOnBatteries",
    "StopIfGoingOnBatteries", "AllowHardTerminate", "StartWhenAvailable", "RunOnlyIfNetworkAvailable",
    "IdleSettings", "StopOnIdleEnd", "RestartOnIdle", "AllowStartOnDemand", "Hidden", "RunOnlyIfIdle",
    "WakeToRun", "ExecutionTimeLimit", "Priority", "RestartOnFailure", "Interval", "Count", "Actions", "Exec",
    "Command", "Arguments", "WorkingDirectory",
}


def test_the_task_scheduler_xml_is_a_logon_task_that_restarts(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    service = os_service.definition(data_dir, "postgresql+psycopg://biztel@db/biztel", os_service.WINDOWS,
                                    executable=r"C:\Program Files\BIZTEL Desk\python.exe", frozen=False,
                                    user="CORP\\tanaka")
    assert service.content[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with a byte order mark, as schtasks reads
    root = ET.fromstring(service.content.decode("utf-16").replace('encoding="UTF-16"', ""))
    ns = {"t": os_service.TASK_NAMESPACE}
    assert root.tag == f"{{{os_service.TASK_NAMESPACE}}}Task" and root.get("version") == "1.2"
    names = {element.tag.split("}")[1] for element in root.iter()}
    assert names <= SCHEMA_ELEMENTS, names - SCHEMA_ELEMENTS
    assert root.findtext("t:Triggers/t:LogonTrigger/t:UserId", namespaces=ns) == "CORP\\tanaka"
    assert root.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=ns) == "PT0S"
    assert root.findtext("t:Settings/t:RestartOnFailure/t:Interval", namespaces=ns) == "PT1M"
    assert root.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=ns) == "IgnoreNew"
    assert root.findtext("t:Actions/t:Exec/t:Command", namespaces=ns).endswith("pythonw.exe")  # no console
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
    assert arguments == subprocess.list2cmdline(service.argv[1:])
    assert '--data-dir "' in arguments and '\\"quoted\\"' in arguments and arguments.endswith("sync --service")
    assert service.register[0][:4] == ["schtasks", "/Create", "/TN", service.name]


def _fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``systemctl`` on PATH that records each call and reports the unit active once enabled."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    script = bin_dir / "systemctl"
    script.write_text(f"""#!{sys.executable}
import sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write(" ".join(args) + "\\n")
if "show" in args:
    enabled = any(" enable " in line for line in open({str(log)!r}))
    print("LoadState=loaded")
    print("ActiveState=" + ("active" if enabled else "inactive"))
    print("NRestarts=0")
""", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_install_status_uninstall_with_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = _user_manager_running()
    log = None if real else _fake_systemctl(tmp_path, monkeypatch)
    home = Path.home() if real else tmp_path / "home"
    service = os_service.definition(tmp_path / "data", None, os_service.LINUX, home=home)
    manager = os_service.ServiceManager(service)
    assert manager.status().installed is False
    manager.install()
    try:
        assert stat.S_IMODE(service.path.stat().st_mode) == 0o600
        assert service.path.read_bytes() == service.content
        state = manager.status()
        assert state.installed and (state.running or real)  # a real unit may still be starting
        manager.install()  # again: replaces, never two units
        assert len(list(service.path.parent.glob(f"{os_service.SYSTEMD_PREFIX}-*.service"))) == 1
    finally:
        assert manager.uninstall() is True
    assert not service.path.exists()
    assert manager.uninstall() is False
    if log is not None:
        calls = log.read_text().splitlines()
        assert calls[:2] == ["--user daemon-reload", f"--user enable --now {service.name}"]
        assert f"--user disable --now {service.name}" in calls


def _user_manager_running() -> bool:
    if shutil.which("systemctl") is None:
        return False
    done = subprocess.run(["systemctl", "--user", "is-system-running"], capture_output=True, text=True, check=False)
    return done.stdout.strip() in ("running", "degraded")


def test_a_missing_platform_tool_is_a_message_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemctl at all
    manager = os_service.ServiceManager(os_service.definition(tmp_path / "d", None, os_service.LINUX,
                                                              home=tmp_path / "home"))
    with pytest.raises(os_service.ServiceError) as raised:
        manager.install()
    assert "systemctl" in raised.value.text("ja") and raised.value.text("ja").endswith("。")
    assert "systemctl" in raised.value.text("en")


def test_the_database_password_goes_to_the_keyring_never_into_the_service(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_systemctl(tmp_path, monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    secrets = SecretStore(MemoryBackend())
    url = "postgresql+psycopg://biztel:s3cr%40t@127.0.0.1:1/biztel"
    parser = argparse.ArgumentParser()
    cli.add_global_options(parser)
    cli.add_commands(parser)
    data_dir = tmp_path / "data"
    # The database itself is SQLite here (the command opens it first); the URL is what the service is given.
    args = parser.parse_args(["--data-dir", str(data_dir), "service", "install"])
    args.db_url = None
    monkeypatch.setenv("BIZTEL_DESK_DB_URL", "")
    from io import StringIO

    out = StringIO()
    context = cli.open_context(args, "ja", secrets)
    try:
        args.db_url = url
        from biztel_desk.cli import service_cmd

        assert service_cmd.run(args, context, StringIO(), out) == 0
    finally:
        context.close()
    unit = next((tmp_path / "home" / ".config" / "systemd" / "user").glob("*.service"))
    text = unit.read_text(encoding="utf-8")
    assert "s3cr" not in text and "biztel@127.0.0.1:1/biztel" in text
    assert "s3cr" not in out.getvalue()
    assert secrets.get("database:postgresql+psycopg://biztel@127.0.0.1:1/biztel") == "s3cr@t"
    # A start given the URL without the password finds it in the keyring.
    resolved = db_password.resolve("postgresql+psycopg://biztel@127.0.0.1:1/biztel", secrets)
    assert resolved == "postgresql+psycopg://biztel:s3cr%40t@127.0.0.1:1/biztel"
    assert db_password.resolve(url, secrets) == url  # a URL with its own password is used as it is
    assert db_password.resolve("sqlite:////tmp/x.db", secrets) == "sqlite:////tmp/x.db"


def test_install_print_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run([sys.executable, "-m", "biztel_desk", "--lang", "en", "--data-dir", str(tmp_path / "d"),
                           "service", "install", "--print"], capture_output=True, text=True,
                          env={**os.environ, "HOME": str(home), "BIZTEL_DESK_DB_URL": ""}, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ExecStart=" in done.stdout and "systemctl --user enable --now" in done.stdout
    assert not (home / ".config" / "systemd").exists()
    status = subprocess.run([sys.executable, "-m", "biztel_desk", "--lang", "en", "--data-dir", str(tmp_path / "d"),
                             "service", "status"], capture_output=True, text=True,
                            env={**os.environ, "HOME": str(home), "BIZTEL_DESK_DB_URL": ""}, check=False, timeout=120)
    assert status.returncode == 1 and "No background service is installed" in status.stdout


def test_installed_for_finds_the_service_of_a_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data_dir = _data_dir(tmp_path)
    other = tmp_path / "other"
    for platform in (os_service.LINUX, os_service.MACOS, os_service.WINDOWS):
        assert not os_service.installed_for(data_dir, platform, home)
        service = os_service.definition(data_dir, "postgresql+psycopg://u@h/d", platform, home=home, uid=501,
                                        user="PC\\u")
        service.path.parent.mkdir(parents=True, exist_ok=True)
        service.path.write_bytes(service.content)
        assert os_service.installed_for(data_dir, platform, home), platform
        assert not os_service.installed_for(other, platform, home)
