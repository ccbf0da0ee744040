"""A link profile on a running dev org: the account (its secrets in the keyring), a fallback Account created in the
org, one link setting with a target, and the recording server — what 設定確認 and Salesforce側の自動設定 need.

Used by the GUI tests and by ``tools/setup_org_screenshot.py``; ``window_profile`` by the screenshots of the window with
a LinkWorker (``tools/attention_screenshot.py``, ``tools/worker_screenshot.py``). The tools put ``tests/`` on sys.path:
this module imports only the app and simple-salesforce, no test framework, so it works from a fresh clone.
"""

from __future__ import annotations

from pathlib import Path

from simple_salesforce import Salesforce

from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import Database

RECORDING_SERVER = "https://s0000.u.biztel.jp:8000"
COMPANY = "03-1234-5678"  # the company number the settings link


def org_client(org: DevOrg) -> Salesforce:
    """A simple-salesforce client logged in to ``org`` with username + password + security token (SOAP login)."""
    c = org.credentials
    return Salesforce(username=c["username"], password=c["password"], security_token=c["security_token"],
                      domain="login", session=loopback_session(org.url, timeout=10), version="59.0")


def save_org_account(context: AppContext, org: DevOrg, account: str) -> None:
    """The account ``account`` of ``org``, its password and security token in the keyring."""
    c = org.credentials
    context.config.save_account(
        AccountConfig(name=account, username=c["username"], login_host=org.url),
        secrets={SecretKind.PASSWORD: c["password"], SecretKind.SECURITY_TOKEN: c["security_token"]},
    )


def window_profile(directory: Path, org: DevOrg, lang: str, *, osaka: str = "enabled") -> AppContext:
    """A new profile in ``directory`` (secrets in memory) for a window with a worker on ``org`` (seeded ``demo``):
    the account 本番組織 and two settings on it, 本社コールセンター (enabled, linking COMPANY) and 大阪営業所
    (status ``osaka``), both falling back to the seeded Account 登録情報なし."""
    context = AppContext(database=Database.open(directory=directory), secrets=SecretStore(MemoryBackend()), lang=lang,
                         data_dir=directory)
    save_org_account(context, org, "本番組織")
    fallback = next(str(r["Id"]) for r in org.records("Account") if r.get("Name") == "登録情報なし")
    for name, number, status in (("本社コールセンター", COMPANY, "enabled"), ("大阪営業所", "06-6555-0101", osaka)):
        context.config.save_basic(LinkSettingConfig(name=name, account="本番組織", fallback_record_id=fallback,
                                                    api_consent=True, status=status,
                                                    targets=(LinkTargetConfig(number),)))
    return context


def link_profile(context: AppContext, org: DevOrg, *, account: str = "devorg", setting: str = "本社") -> str:
    """Save the account ``account`` and the setting ``setting`` of ``org`` into ``context``; returns the setting."""
    save_org_account(context, org, account)
    fallback = str(org_client(org).Account.create({"Name": "登録情報なし"})["id"])
    context.config.save_basic(LinkSettingConfig(name=setting, account=account, fallback_record_id=fallback,
                                                api_consent=True, targets=(LinkTargetConfig(COMPANY),)))
    context.config.save_system({"recording_server_url": RECORDING_SERVER})
    return setting
