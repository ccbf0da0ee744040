"""システム設定 → バックグラウンド連携: the service's state and インストール / アンインストール / 開始 / 停止, run in jobs.

This machine has no user systemd (tests/unit/test_os_service.py skips the real one): a stand-in ``systemctl`` on
PATH keeps the unit's state in a file, so the dialog runs the real ServiceManager and writes the real unit file
under a temporary HOME.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from biztel_desk.services import os_service
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.system_dialog import SystemDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    state = tmp_path / "systemctl.state"
    script = bin_dir / "systemctl"
    script.write_text(f"""#!{sys.executable}
import sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write(" ".join(args) + "\\n")
def write(value):
    open({str(state)!r}, "w").write(value)
if "enable" in args or "start" in args:
    write("active")
elif "disable" in args or "stop" in args:
    write("inactive")
elif "show" in args:
    try:
        value = open({str(state)!r}).read()
    except OSError:
        value = "inactive"
    print("LoadState=loaded")
    print("ActiveState=" + value)
""", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def open_dialog(qtbot: QtBot, context: AppContext) -> SystemDialog:
    dialog = SystemDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def state(dialog: SystemDialog) -> str:
    return dialog.service_state_label.text()


def test_install_stop_start_uninstall_from_the_system_dialog(qtbot: QtBot, context: AppContext, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if os_service.current_platform() != os_service.LINUX:
        pytest.skip("the stand-in tool is systemctl")
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    log = fake_systemctl(tmp_path, monkeypatch)
    assert context.data_dir is not None
    dialog = open_dialog(qtbot, context)
    dialog.grab().save(str(tmp_path / "system-options.png"))
    qtbot.waitUntil(lambda: state(dialog) == "状態: 未インストール", timeout=5000)
    assert dialog.service_install_button.isEnabled() and not dialog.service_uninstall_button.isEnabled()
    assert not dialog.service_start_button.isEnabled() and not dialog.service_stop_button.isEnabled()

    dialog.service_install_button.click()
    qtbot.waitUntil(lambda: state(dialog) == "状態: インストール済み・実行中", timeout=10_000)
    assert "インストールして開始しました" in dialog.service_message_label.text()
    service = os_service.definition(context.data_dir, None, home=home)
    assert service.path.read_bytes() == service.content
    assert b"sync --service" in service.content
    assert os_service.installed_for(context.data_dir, home=home)  # the window's close asks nothing now
    assert f"--user enable --now {service.name}" in log.read_text()
    dialog.pages.setCurrentIndex(1)  # the page バックグラウンド連携
    assert dialog.pages.tabText(1) == "バックグラウンド連携"
    if os.environ.get("BIZTEL_SCREENSHOT_DIR"):
        dialog.grab().save(os.path.join(os.environ["BIZTEL_SCREENSHOT_DIR"], "system_dialog_service.png"))
    dialog.grab().save(str(tmp_path / "system-service.png"))

    dialog.service_stop_button.click()
    qtbot.waitUntil(lambda: state(dialog) == "状態: インストール済み・停止", timeout=10_000)
    assert dialog.service_start_button.isEnabled() and not dialog.service_stop_button.isEnabled()
    dialog.service_start_button.click()
    qtbot.waitUntil(lambda: state(dialog) == "状態: インストール済み・実行中", timeout=10_000)
    assert "開始しました" in dialog.service_message_label.text()

    dialog.service_uninstall_button.click()
    qtbot.waitUntil(lambda: state(dialog) == "状態: 未インストール", timeout=10_000)
    assert not service.path.exists() and not os_service.installed_for(context.data_dir, home=home)
    assert f"--user disable --now {service.name}" in log.read_text()


def test_a_missing_systemctl_is_a_clear_message_and_installs_nothing(qtbot: QtBot, context: AppContext,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if os_service.current_platform() != os_service.LINUX:
        pytest.skip("systemctl is the Linux tool")
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert context.data_dir is not None
    dialog = open_dialog(qtbot, context)
    qtbot.waitUntil(lambda: dialog.service_install_button.isEnabled(), timeout=5000)
    dialog.service_install_button.click()
    qtbot.waitUntil(lambda: not dialog.service_message_label.isHidden(), timeout=10_000)
    message = dialog.service_message_label.text()
    assert "systemctl が見つかりません" in message and message.endswith("。")
    qtbot.waitUntil(lambda: state(dialog) == "状態: 未インストール", timeout=10_000)
    assert not os_service.installed_for(context.data_dir, home=home)  # no file left behind
    dialog.pages.setCurrentIndex(1)
    dialog.grab().save(str(tmp_path / "system-service-failed.png"))
