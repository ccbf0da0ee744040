"""What the first-run wizard says at its end (有効化): what was saved, and how 設定確認 went."""

from __future__ import annotations

from biztel_desk.domain.config import LinkSettingConfig
from biztel_desk.domain.messages import message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.verify.report import VerificationReport


def setup_summary(account: str, setting_name: str, setting: LinkSettingConfig | None,
                  report: VerificationReport | None, lang: str = "ja") -> list[str]:
    """The lines above 今すぐ有効にする / 無効のままにする; ``report`` None: 設定確認 did not complete."""
    lines = [message("wizard_saved", lang, account=account, setting=setting_name)]
    if setting is not None:
        comma = pick(lang, "、", ", ")
        objects = comma.join(o.api_name for o in sorted(setting.objects, key=lambda o: o.priority))
        lines.append(message("wizard_objects_targets", lang, objects=objects,
                             targets=comma.join(t.number for t in setting.targets)))
    if report is None:
        lines.append(message("wizard_verify_pending", lang))
    elif report.ok:
        lines.append(message("wizard_verify_ok", lang))
    else:
        lines.append(message("wizard_verify_problems", lang, count=len(report.lines(lang))))
    return lines
