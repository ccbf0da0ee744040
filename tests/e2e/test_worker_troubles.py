"""The worker says which setting needs the admin (WorkerStatus.troubles, read by services/attention.py): a refused
login stays a trouble of its setting until a step of that setting succeeds."""

from __future__ import annotations

from collections.abc import Callable

from conftest import LinkEnv
from test_link_engine import new_number, wait_for

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import SecretKind
from biztel_desk.engine.worker import LinkWorker, WorkerState


def test_a_refused_login_is_the_settings_trouble_until_it_links(link_env: Callable[..., LinkEnv],
                                                                 link_org: DevOrg) -> None:
    env = link_env()
    env.close()  # the worker's engine owns the setting from here
    setting = env.context.config.get_setting(env.setting)
    assert setting is not None
    secrets = env.context.secrets
    password = secrets.get_account_secret(setting.account, SecretKind.PASSWORD)
    secrets.set_account_secret(setting.account, SecretKind.PASSWORD, "not-the-password")
    link_org.expire_sessions()  # the next call must log in again: refused (INVALID_LOGIN)
    worker = LinkWorker(env.context.database, secrets, settings=[env.setting], poll_interval_s=0.2)
    uid = env.add_call(new_number())
    worker.start()
    try:
        wait_for(lambda: bool(worker.status.troubles))
        [trouble] = worker.status.troubles
        assert trouble.setting == env.setting and trouble.kind == "login"
        assert trouble.detail and env.setting not in trouble.detail  # the reason, without the setting's name
        assert worker.status.state == WorkerState.ERROR
        secrets.set_account_secret(setting.account, SecretKind.PASSWORD, password or "")
        assert worker.send_now() is None  # the admin fixed it: try again now (not after the 5-minute back-off)
        wait_for(lambda: env.job(uid).state == "linked")
        wait_for(lambda: worker.status.troubles == ())
    finally:
        assert worker.stop(10)
