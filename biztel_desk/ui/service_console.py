"""The window as the console of this PC's background service (``biztel-desk sync --service``).

While the service's heartbeat is current (``ui.lease_watch.LeaseWatcher.service``) the window starts no worker
of its own; the worker toolbar and the status bar show the service's state, and 開始 / 休止 / 停止 write
commands into its heartbeat row, which it picks up within a second. These are the texts; which buttons are
enabled is ``services.window_view.service_bar``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from biztel_desk.services.link_owners import ServiceState


class ServiceConsole(QObject):
    """Texts of the service console (a QObject for ``tr``)."""

    def headline(self, service: ServiceState) -> str:
        texts = {
            "running": self.tr("バックグラウンド連携(このPCのサービス)が連携中"),
            "paused": self.tr("バックグラウンド連携(このPCのサービス)は休止中"),
            "waiting_for_limit": self.tr("バックグラウンド連携(このPCのサービス)はAPI上限待ち"),
            "error": self.tr("バックグラウンド連携(このPCのサービス)でエラー"),
            "stopped": self.tr("バックグラウンド連携(このPCのサービス)は停止中"),
        }
        return texts.get(service.state, texts["running"])

    def state_text(self, service: ServiceState) -> str:
        texts = {"running": self.tr("サービスが連携中"), "paused": self.tr("サービスが休止中"),
                 "waiting_for_limit": self.tr("サービスがAPI上限待ち"), "error": self.tr("サービスでエラー"),
                 "stopped": self.tr("サービスが停止中")}
        return texts.get(service.state, texts["running"])

    def line(self, service: ServiceState) -> str:
        """The toolbar's line: the headline and the last heartbeat."""
        age = round(max(service.heartbeat_age_s, 0.0))
        return self.tr("{0}(最終応答 {1}秒前)").format(self.headline(service), age)

    def message(self, service: ServiceState) -> str:
        """The status bar's message: a command on its way, else the service's own last message (its error)."""
        if service.command is not None:
            return self.tr("サービスへの指示を送りました。数秒で反映されます。")
        return service.message

    def gone(self) -> str:
        return self.tr("バックグラウンド連携(このPCのサービス)が停止しました。この画面で連携するには「開始」を押してください。")

    def owner(self) -> str:
        return self.tr("この設定はバックグラウンド連携(このPCのサービス)が連携中")

    def refused(self, detail: str) -> str:
        return self.tr("バックグラウンド連携へ指示を送れませんでした。{0}").format(detail)
