"""``biztel-desk sync --once`` says why it sent nothing (API-usage guard, another process's lease) and exits 1."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from conftest import LinkEnv
from test_leases import Holder
from test_link_engine import new_number

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.devorg.server import DevOrg


def sync_once(env: LinkEnv, lang: str) -> tuple[int, str]:
    args = build_parser().parse_args(["--data-dir", str(env.context.data_dir), "--lang", lang, "sync", "--once"])
    out = io.StringIO()
    return run(args, stdin=io.StringIO(""), stdout=out, secrets=env.context.secrets), out.getvalue()


@pytest.mark.parametrize(("lang", "expected"), [("ja", "API使用量が9"), ("en", "Sending waits: API usage above 9")])
def test_usage_guard_is_reported_and_exits_1(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                             capsys: pytest.CaptureFixture[str], lang: str, expected: str) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    link_org.set_api_usage(14_500)  # 96.7 % of 15,000: above the 95 % pause threshold
    code, out = sync_once(env, lang)
    err = capsys.readouterr().err
    assert code == 1, (out, err)
    assert expected in err
    assert "linked\t0\n" in out
    assert env.job(uid).state == "pending" and env.tasks(uid) == []
    link_org.set_api_usage(0)
    code, out = sync_once(env, lang)
    assert code == 0 and "linked\t1\n" in out, capsys.readouterr().err
    assert env.job(uid).state == "linked"


@pytest.mark.parametrize(("lang", "expected"), [("ja", "別のプロセスがこの連携設定を送信中です"),
                                                ("en", "another process is sending this link setting")])
def test_lease_held_elsewhere_is_reported_and_exits_1(link_env: Callable[..., LinkEnv],
                                                      capsys: pytest.CaptureFixture[str], lang: str,
                                                      expected: str) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    holder = Holder(env, "other-desktop.example", ttl=120)  # another desktop, alive
    try:
        code, out = sync_once(env, lang)
        err = capsys.readouterr().err
        assert code == 1, (out, err)
        assert expected in err and env.setting in err and "other-desktop.example" in err
        assert env.job(uid).state == "pending" and env.tasks(uid) == []
    finally:
        holder.kill()
