"""Demo mode (issue #6): a throw-away profile on an in-process dev org, fed by a call simulator."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from biztel_desk.devorg.seed_data import FALLBACK_ACCOUNT_NAME, PHONE_FIELDS, unknown_numbers
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord, Direction
from biztel_desk.domain.config import (
    DEFAULT_OBJECTS,
    AccountConfig,
    ActivityMode,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    OnMultipleMatch,
    OnNoMatch,
    SecretKind,
)
from biztel_desk.ingest.loop import BackgroundLoop
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.calls import add_calls
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

DEMO_ACCOUNT = "デモ組織"
DEMO_SETTING = "デモ: 本社コールセンター"
DEMO_RECORDS = 3000  # Accounts + Contacts + Leads in the dev org: a small call center's CRM
DEMO_TIME_ZONE = "Asia/Tokyo"
DEMO_RECORDING_SERVER = "https://demo.biztel.example:8000"
# The company's own numbers (連携対象): the main line (also the default outbound number) and the Osaka branch.
COMPANY_NUMBERS = ("03-6822-4100", "06-6342-7700")
DEFAULT_OUTBOUND = COMPANY_NUMBERS[0]
# Agents and their extensions, as BIZTEL records them (エージェントID ≤ 10 characters, 内線番号).
AGENTS = (("tanaka", "201"), ("suzuki", "202"), ("sato", "203"), ("takahashi", "204"), ("ito", "205"),
          ("watanabe", "206"), ("yamamoto", "207"), ("nakamura", "208"))
ANONYMOUS = "非通知"
TEMP_PREFIX = "biztel-desk-demo-"
INITIAL_CALLS = 4  # written at start, so the history shows linked calls within seconds
INTERVAL_S = (2.0, 4.0)  # a new call every 2–4 seconds after that


@dataclass(frozen=True)
class CallMix:
    """The share of each kind of customer number among simulated calls (the rest are known, single-holder)."""

    shared: float = 0.10  # a number several records hold (most_recent decides)
    unknown: float = 0.15  # a valid number nobody holds (the fallback record)
    anonymous: float = 0.05  # 非通知 (inbound only: the fallback record)
    inbound: float = 0.65
    extension_only_outbound: float = 0.2  # outbound calls whose source records only the extension (既定の発信番号)


@dataclass(frozen=True)
class OrgNumbers:
    """The customer numbers the simulator dials, as E.164: held by one record, by several, or by nobody."""

    single: tuple[str, ...]
    shared: tuple[str, ...]
    unknown: tuple[str, ...]


def org_numbers(org: DevOrg, unknown_count: int = 200, random_seed: int = 0) -> OrgNumbers:
    """Every phone number of the dev org's Accounts, Contacts and unconverted Leads, read in-process (no HTTP).

    Account Fax is left out: it is a phone-type field, but the link engine never matches it (SPEC §6).
    """
    holders: dict[str, set[str]] = {}
    for object_name, fields in PHONE_FIELDS.items():
        for record in org.records(object_name):
            if object_name == "Lead" and record.get("IsConverted"):
                continue
            for name in fields:
                if object_name == "Account" and name == "Fax":
                    continue
                e164 = _e164(str(record.get(name) or ""))
                if e164 is not None:
                    holders.setdefault(e164, set()).add(str(record["Id"]))
    single = tuple(sorted(n for n, ids in holders.items() if len(ids) == 1))
    shared = tuple(sorted(n for n, ids in holders.items() if len(ids) > 1))
    avoid = set(holders) | {e for e in (phone.normalize(n) for n in COMPANY_NUMBERS) if e}
    unknown = tuple(e for e in (phone.normalize(n) for n in unknown_numbers(unknown_count, random_seed, avoid)) if e)
    return OrgNumbers(single, shared, unknown)


_PLAIN_JP = re.compile(r"^0\d{9,10}$")
_PUNCTUATION = str.maketrans("", "", "-() ")


def _e164(raw: str) -> str | None:
    """E.164 of a stored phone value; plain national numbers without parsing (thousands of them at start-up)."""
    if not raw:
        return None
    plain = raw.translate(_PUNCTUATION)
    if _PLAIN_JP.match(plain):
        return "+81" + plain[1:]
    return phone.normalize(raw)


def fallback_record_id(org: DevOrg) -> str:
    """The Id of the dev org's 登録情報なし Account (seeded by ``seed="demo"``)."""
    for record in org.records("Account"):
        if record.get("Name") == FALLBACK_ACCOUNT_NAME:
            return str(record["Id"])
    raise LookupError(f"the dev org has no Account named {FALLBACK_ACCOUNT_NAME}")


class CallSimulator(BackgroundLoop):
    """Produces a realistic finished call every few seconds and stores it through the ingest path.

    Calls go in with ``store.calls.add_calls`` in one transaction each, exactly like the HTTP endpoint and
    the file import, then ``on_added`` is called (the link worker's ``wake``) on the simulator thread.
    """

    thread_name = "demo-call-simulator"

    def __init__(self, database: Database, numbers: OrgNumbers, *, region: str = "JP",
                 interval_s: tuple[float, float] = INTERVAL_S, mix: CallMix | None = None,
                 random_seed: int | None = None, on_added: Callable[[], None] | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        self.numbers = numbers
        self.region = region
        self.interval_s = interval_s
        self.mix = mix or CallMix()
        self.on_added = on_added
        self._rng = random.Random(random_seed)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._sequence = self._rng.randrange(1000, 9000)
        self._lock = threading.Lock()  # the rng and the sequence: add() may run on any thread
        self._init_loop()
        self.unique_ids: list[str] = []  # every call produced, oldest first

    # --- producing calls ------------------------------------------------------------------------------------

    def make_call(self, ended_at: dt.datetime | None = None) -> CallRecord:
        """One finished call that ended at ``ended_at`` (now by default)."""
        with self._lock:
            rng = self._rng
            self._sequence += rng.randrange(1, 40)
            ended = ended_at or self._clock()
            inbound = rng.random() < self.mix.inbound
            customer = self._customer(rng, inbound)
            agent, extension = AGENTS[rng.randrange(len(AGENTS))]
            # Talk time: log-normal around 3 min (inbound) / 2 min (outbound), a few seconds to half an hour.
            median = 180.0 if inbound else 120.0
            duration = int(min(1800, max(6, rng.lognormvariate(math.log(median), 0.8))))
            started = (ended - dt.timedelta(seconds=duration)).replace(microsecond=0)
            epoch = int(started.timestamp())
            # BIZTEL runs on Asterisk: its ユニークID is the channel's "<epoch>.<sequence>"; the リクエストID a token.
            unique_id = f"{epoch}.{self._sequence}"
            request_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
            if inbound:
                company = COMPANY_NUMBERS[0] if rng.random() < 0.7 else COMPANY_NUMBERS[1]
                record = CallRecord(unique_id=unique_id, request_id=request_id, direction=Direction.INBOUND.value,
                                    from_number=customer, to_number=company, to_agent_id=agent,
                                    to_extension=extension, started_at=started, ended_at=started + dt.timedelta(
                                        seconds=duration), duration_s=duration, source="demo",
                                    disposition="ANSWERED")
            else:
                extension_only = rng.random() < self.mix.extension_only_outbound
                record = CallRecord(unique_id=unique_id, request_id=request_id, direction=Direction.OUTBOUND.value,
                                    from_number="" if extension_only else COMPANY_NUMBERS[0],
                                    to_number=customer, from_agent_id=agent, from_extension=extension,
                                    started_at=started, ended_at=started + dt.timedelta(seconds=duration),
                                    duration_s=duration, source="demo", disposition="ANSWERED")
            return record.finish()

    def _customer(self, rng: random.Random, inbound: bool) -> str:
        mix = self.mix
        roll = rng.random()
        if inbound and roll < mix.anonymous:
            return ANONYMOUS
        roll -= mix.anonymous
        pool = self.numbers.single
        if roll < mix.unknown and self.numbers.unknown:
            pool = self.numbers.unknown
        elif roll < mix.unknown + mix.shared and self.numbers.shared:
            pool = self.numbers.shared
        if not pool:
            pool = self.numbers.unknown or (phone.normalize("090-0000-0000") or "+819000000000",)
        # As the PBX writes it: the national form with hyphens (03-1234-5678, 090-1234-5678).
        return phone.national_format(pool[rng.randrange(len(pool))])

    def add(self, count: int = 1, spread_s: float = 0.0) -> list[str]:
        """Store ``count`` new calls (ended over the last ``spread_s`` seconds), then call ``on_added``."""
        now = self._clock()
        records = [self.make_call(now - dt.timedelta(seconds=spread_s * (count - 1 - i) / max(count - 1, 1)))
                   for i in range(count)]
        with self.database.begin() as session:
            add_calls(session, records, self.region)
        ids = [r.unique_id for r in records]
        with self._lock:
            self.unique_ids.extend(ids)
        listener = self.on_added
        if listener is not None:
            listener()
        return ids

    # --- the thread -----------------------------------------------------------------------------------------

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_loop(timeout)

    def _run(self) -> None:
        low, high = self.interval_s
        while not self._stop.wait(self._rng.uniform(low, high)):
            try:
                self.add()
            except SQLAlchemyError:  # a locked or closing database: skip this call, the next one comes soon
                log.exception("demo call simulator: the call could not be stored")


@dataclass
class DemoProfile:
    """Everything demo mode runs on; ``stop()`` ends it all and removes what it created.

    The data dir is a new temp dir unless ``base_dir`` is given (``--demo --data-dir DIR``: the admin's choice,
    kept afterwards). Secrets live in memory only; the dev org runs in this process on a free loopback port.
    """

    context: AppContext
    org: DevOrg
    simulator: CallSimulator
    setting_name: str
    fallback_id: str
    temp_dir: Path | None
    started_at: float = field(default_factory=time.monotonic)
    _stopped: bool = False

    @classmethod
    def start(cls, base_dir: Path | None = None, *, lang: str = "ja", records: int = DEMO_RECORDS,
              initial_calls: int = INITIAL_CALLS, interval_s: tuple[float, float] = INTERVAL_S,
              random_seed: int | None = None, latency_ms: float = 0, simulate: bool = True) -> DemoProfile:
        """Provision the profile, write the first calls and start the simulator (``simulate=False``: no thread).

        Everything here is local (in-process dev org, SQLite in the data dir): no network, about two seconds.
        """
        started_at = time.monotonic()
        temp_dir = None if base_dir is not None else Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        directory = base_dir if base_dir is not None else temp_dir
        assert directory is not None
        org: DevOrg | None = None
        database: Database | None = None
        try:
            seed = random_seed if random_seed is not None else random.SystemRandom().randrange(1 << 30)
            org = DevOrg(seed="demo", records=records, random_seed=seed, latency_ms=latency_ms).start()
            database = Database.open(directory=directory)
            context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), lang=lang,
                                 data_dir=directory, demo=True)
            fallback = fallback_record_id(org)
            _provision(context, org, fallback)
            simulator = CallSimulator(database, org_numbers(org, random_seed=seed), interval_s=interval_s,
                                      random_seed=seed, region=context.config.system().default_region or "JP")
            profile = cls(context, org, simulator, DEMO_SETTING, fallback, temp_dir, started_at)
            if initial_calls:
                simulator.add(initial_calls, spread_s=180)
            if simulate:
                simulator.start()
            return profile
        except BaseException:
            if database is not None:
                database.close()
            if org is not None:
                org.stop()
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            raise

    @property
    def data_dir(self) -> Path:
        assert self.context.data_dir is not None
        return self.context.data_dir

    def set_listener(self, on_added: Callable[[], None] | None) -> None:
        """Called after every simulated import (the link worker's ``wake``), on the simulator thread."""
        self.simulator.on_added = on_added

    def stop(self) -> None:
        """Stop the simulator and the dev org, close the database, remove the temp dir. Idempotent.

        Stop the link worker first: it talks to the dev org and writes to the database.
        """
        if self._stopped:
            return
        self._stopped = True
        self.simulator.on_added = None
        self.simulator.stop()
        self.org.stop()
        self.context.close()
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


def _provision(context: AppContext, org: DevOrg, fallback_id: str) -> None:
    """The demo account, link setting (default objects, two targets, enabled) and system settings.

    Idempotent, for ``--demo --data-dir DIR`` run twice: existing demo rows are updated (a new dev org port).
    """
    config = context.config
    config.save_system({"time_zone": DEMO_TIME_ZONE, "recording_server_url": DEMO_RECORDING_SERVER})
    credentials = org.credentials
    existing_account = config.get_account(DEMO_ACCOUNT)
    config.save_account(
        AccountConfig(name=DEMO_ACCOUNT, username=credentials["username"], login_host=org.url),
        original_name=DEMO_ACCOUNT if existing_account else None,
        secrets={SecretKind.PASSWORD: credentials["password"],
                 SecretKind.SECURITY_TOKEN: credentials["security_token"]},
    )
    targets = tuple(LinkTargetConfig(number, enabled=True, default_outbound=number == DEFAULT_OUTBOUND)
                    for number in COMPANY_NUMBERS)
    setting = LinkSettingConfig(
        name=DEMO_SETTING,
        account=DEMO_ACCOUNT,
        fallback_record_id=fallback_id,
        api_consent=True,
        memo="デモ用の連携設定です。通話はシミュレーターが数秒ごとに作成します。",
        on_multiple_match=OnMultipleMatch.MOST_RECENT.value,
        on_no_match=OnNoMatch.FALLBACK.value,
        activity_mode=ActivityMode.TASK.value,
        status=LinkStatus.ENABLED.value,
        objects=DEFAULT_OBJECTS,
        targets=targets,
    )
    if config.get_setting(DEMO_SETTING) is None:
        config.save_basic(setting)
    else:
        config.save_basic(setting, original_name=DEMO_SETTING)
        config.save_objects(DEMO_SETTING, list(DEFAULT_OBJECTS))
        config.save_targets(DEMO_SETTING, list(targets))
