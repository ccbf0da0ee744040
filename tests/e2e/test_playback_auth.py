"""Playback authentication (SPEC §12): url writes the unique ID, admin the request ID; only later Tasks change."""

from __future__ import annotations

import random
from collections.abc import Callable

from conftest import LinkEnv

from biztel_desk.devorg.seed_data import unknown_numbers


def test_switching_playback_auth_affects_only_tasks_written_afterwards(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    number = unknown_numbers(1, random.Random(77).randrange(10**12), set())[0]  # fallback record: always linked
    before = env.add_call(number, request_id="REQ-before")
    env.run()
    env.context.config.save_system({"playback_auth": "admin"})
    after = env.add_call(number, request_id="REQ-after")
    env.run()

    (old_task,) = env.tasks(before)
    (new_task,) = env.tasks(after)
    assert old_task["B_UniqueId__c"] == before  # written in url mode and untouched by the switch
    assert new_task["B_UniqueId__c"] == "REQ-after"
    assert new_task["CallObject"] == after  # the exactly-once key stays the unique ID in both modes
