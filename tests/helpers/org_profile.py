"""A link profile on a running dev org: the account (its secrets in the keyring), a fallback Account created in the
org, one link setting with a target, and the recording server — what 設定確認 and Salesforce側の自動設定 need.

Used by the GUI tests and by ``tools/setup_org_screenshot.py`` (which puts ``tests/`` on sys.path: this module
imports only the app and simple-salesforce, no test framework, so it works from a fresh clone).
"""

from __future__ import annotations

from simple_salesforce import Salesforce

from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.services.context import AppContext

RECORDING_SERVER = "https://s0000.u.biztel.jp:8000"


def link_profile(context: AppContext, org: DevOrg, *, account: str = "devorg", setting: str = "本社") -> str:
    """Save the account ``account`` and the setting ``setting`` of ``org`` into ``context``; returns the setting."""
    c = org.credentials
    context.config.save_account(
        AccountConfig(name=account, username=c["username"], login_host=org.url),
        secrets={SecretKind.PASSWORD: c["password"], SecretKind.SECURITY_TOKEN: c["security_token"]},
    )
    sf = Salesforce(username=c["username"], password=c["password"], security_token=c["security_token"],
                    session=loopback_session(org.url, timeout=10), version="59.0")
    fallback = str(sf.Account.create({"Name": "登録情報なし"})["id"])
    context.config.save_basic(LinkSettingConfig(name=setting, account=account, fallback_record_id=fallback,
                                                api_consent=True, targets=(LinkTargetConfig("03-1234-5678"),)))
    context.config.save_system({"recording_server_url": RECORDING_SERVER})
    return setting
