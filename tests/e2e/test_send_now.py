"""今すぐ再試行 never waits behind a back-off: the worker, backing off after a Salesforce fault, sends within 2 s."""

from __future__ import annotations

import time
from collections.abc import Callable

from conftest import LinkEnv
from test_link_engine import new_number, wait_for

from biztel_desk.devorg.server import DevOrg
from biztel_desk.engine.worker import LinkWorker, WorkerState


def test_send_now_cuts_a_fault_back_off_short(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    env = link_env()
    env.close()  # the worker's engine owns the setting from here
    worker = LinkWorker(env.context.database, env.context.secrets, settings=[env.setting],
                        error_backoff_s=(120,), poll_interval_s=0.2)
    assert worker.send_now() == "stopped"  # not running: says so
    link_org.inject_fault("http_503", count=50)  # Salesforce is down for every request: a step fails
    uid = env.add_call(new_number())
    worker.start()
    try:
        wait_for(lambda: "120" in worker.status.message)  # backing off for two minutes
        assert env.job(uid).state != "linked"
        link_org.clear_faults()
        time.sleep(0.5)
        assert env.job(uid).state != "linked"  # the back-off holds: nothing would happen for minutes
        started = time.monotonic()
        assert worker.send_now() is None
        # Far below the 120-s back-off it cuts short, with room for a loaded CI machine (2 s flaked at load 10).
        wait_for(lambda: env.job(uid).state == "linked", 30.0)
        assert time.monotonic() - started < 30.0
        worker.pause()
        wait_for(lambda: worker.status.state == WorkerState.PAUSED)
        assert worker.send_now() == "paused"  # 一時停止 by the admin: 再開 sends, 今すぐ再試行 says so
    finally:
        assert worker.stop(10)
