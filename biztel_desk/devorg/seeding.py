"""Seeds of the dev org: the org itself (user, organization, task statuses, §2 setup) and the demo records."""

from __future__ import annotations

import datetime as dt

from biztel_desk.devorg import schema
from biztel_desk.devorg.auth import Credentials
from biztel_desk.devorg.store import OrgStore

SEEDS = ("demo", "empty", "bare")
WAV_IMG_VALUE = "/resource/1700000000000/speaker"


def setup_org(store: OrgStore, seed: str, credentials: Credentials, records: int, random_seed: int) -> None:
    """Fills a new store: the org rows every seed has, the §2 setup unless ``bare``, demo records for ``demo``."""
    if seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; expected one of {', '.join(SEEDS)}")
    org_id = store.new_id("00D")
    user_id = store.new_id("005")
    store.org_id, store.user_id = org_id, user_id
    store.insert_system(schema.ORGANIZATION, {
        "Name": "BIZTEL Desk Dev Org", "OrganizationType": "Developer Edition", "IsSandbox": False,
        "InstanceName": "DEV1", "TimeZoneSidKey": "Asia/Tokyo", "LanguageLocaleKey": "ja", "Phone": "03-0000-0000",
    }, org_id)
    store.insert_system(schema.USER, {
        "Username": credentials.username, "LastName": "管理者", "FirstName": "デブ", "Name": "管理者 デブ",
        "Email": credentials.username, "IsActive": True, "TimeZoneSidKey": "Asia/Tokyo", "LanguageLocaleKey": "ja",
    }, user_id)
    store.insert_system(schema.USER_PERMISSION_ACCESS, dict.fromkeys(schema.USER_PERMISSIONS, True))
    for order, (api_name, closed, default) in enumerate(schema.TASK_STATUSES, start=1):
        store.insert_system(schema.TASK_STATUS, {"ApiName": api_name, "MasterLabel": api_name, "IsClosed": closed,
                                                 "IsDefault": default, "SortOrder": order})
    if seed != "bare":
        now = store.now()
        store.static_resources["speaker"] = {
            "Id": store.new_id("081"), "ContentType": "image/png", "CacheControl": "Public", "BodyLength": 1024,
            "Description": "BIZTEL 音声再生ボタン", "SystemModstamp": now.replace(microsecond=0),
        }
        store.labels["WavImg"] = {"Id": store.new_id("101"), "MasterLabel": "音声再生イメージファイル",
                                  "Value": WAV_IMG_VALUE, "Language": "ja", "Category": None}
    if seed == "demo":
        seed_demo(store, records, random_seed)
    store.mark_meta_dirty()


def seed_demo(store: OrgStore, records: int, random_seed: int) -> None:
    """Inserts the demo records through the normal create path (validations on).

    Their CreatedDate / LastModifiedDate are spread over the day before start-up, so that seeding does not push
    the org's strictly-increasing SystemModstamp clock ahead of real time.
    """
    from biztel_desk.devorg.seed_data import generate_demo  # imports phonenumbers: only when seeding demo

    demo = generate_demo(records=records, random_seed=random_seed)
    refs: dict[str, str] = {}
    start = store.now().replace(microsecond=0) - dt.timedelta(days=1)
    step = dt.timedelta(days=1) / max(len(demo), 1)
    with store.lock:
        for index, item in enumerate(demo):
            obj = store.objects[item.object_name]
            payload = {k: v for k, v in item.fields.items() if v is not None}
            payload.update({name: refs[ref] for name, ref in item.parent_refs.items()})
            values = store.decode(obj, payload)
            stamp = start + step * index
            stamp = stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
            values.update(CreatedDate=stamp, LastModifiedDate=stamp)
            refs[item.ref] = store.create(item.object_name, values, store.user_id, seeding=True)
