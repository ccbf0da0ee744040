"""A running PBX's CDR table for the CDR database source's tests and bench (issue #15).

The tables are the published column sets: FreePBX's ``asteriskcdrdb.cdr`` (the cdr module's install schema:
calldate … sequence) on MariaDB, and Asterisk's ``cdr`` table (contrib/ast-db-manage, cdr_pgsql /
cdr_adaptive_odbc: start/answer/end, linkedid, peeraccount, sequence) on PostgreSQL. ``Pbx`` makes the legs of
ring groups, queues (Local channels), transfers, missed and outbound calls as Asterisk writes them: one row per leg,
written when the leg ends, the legs of a call sharing its ``linkedid``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

FREEPBX_DDL = """
CREATE TABLE `{table}` (
  `calldate` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `clid` varchar(80) NOT NULL DEFAULT '',
  `src` varchar(80) NOT NULL DEFAULT '',
  `dst` varchar(80) NOT NULL DEFAULT '',
  `dcontext` varchar(80) NOT NULL DEFAULT '',
  `channel` varchar(80) NOT NULL DEFAULT '',
  `dstchannel` varchar(80) NOT NULL DEFAULT '',
  `lastapp` varchar(80) NOT NULL DEFAULT '',
  `lastdata` varchar(80) NOT NULL DEFAULT '',
  `duration` int(11) NOT NULL DEFAULT 0,
  `billsec` int(11) NOT NULL DEFAULT 0,
  `disposition` varchar(45) NOT NULL DEFAULT '',
  `amaflags` int(11) NOT NULL DEFAULT 0,
  `accountcode` varchar(20) NOT NULL DEFAULT '',
  `uniqueid` varchar(32) NOT NULL DEFAULT '',
  `userfield` varchar(255) NOT NULL DEFAULT '',
  `did` varchar(50) NOT NULL DEFAULT '',
  `recordingfile` varchar(255) NOT NULL DEFAULT '',
  `cnum` varchar(80) NOT NULL DEFAULT '',
  `cnam` varchar(80) NOT NULL DEFAULT '',
  `outbound_cnum` varchar(80) NOT NULL DEFAULT '',
  `outbound_cnam` varchar(80) NOT NULL DEFAULT '',
  `dst_cnam` varchar(80) NOT NULL DEFAULT '',
  `linkedid` varchar(32) NOT NULL DEFAULT '',
  `peeraccount` varchar(80) NOT NULL DEFAULT '',
  `sequence` int(11) NOT NULL DEFAULT 0,
  KEY `calldate` (`calldate`),
  KEY `dst` (`dst`),
  KEY `accountcode` (`accountcode`),
  KEY `uniqueid` (`uniqueid`),
  KEY `did` (`did`),
  KEY `recordingfile` (`recordingfile`(191))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""

ASTERISK_DDL = """
CREATE TABLE {table} (
  accountcode VARCHAR(80), src VARCHAR(80), dst VARCHAR(80), dcontext VARCHAR(80), clid VARCHAR(80),
  channel VARCHAR(80), dstchannel VARCHAR(80), lastapp VARCHAR(80), lastdata VARCHAR(80),
  start TIMESTAMP WITHOUT TIME ZONE, answer TIMESTAMP WITHOUT TIME ZONE, "end" TIMESTAMP WITHOUT TIME ZONE,
  duration INTEGER, billsec INTEGER, disposition VARCHAR(45), amaflags VARCHAR(45), userfield VARCHAR(256),
  uniqueid VARCHAR(150), linkedid VARCHAR(150), peeraccount VARCHAR(80), sequence INTEGER
)
"""

DID = "0312345678"  # the company number the calls come in on (tests/e2e/conftest.COMPANY)


def scratch_database(server_url: str, prefix: str) -> tuple[str, sa.Engine]:
    """A fresh database on the test server (the PBX's), its URL and an admin engine for the writer."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    url = sa.make_url(server_url).set(database=name)
    return url.render_as_string(hide_password=False), sa.create_engine(url, isolation_level="AUTOCOMMIT")


def drop_database(server_url: str, name: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if admin.dialect.name == "postgresql":
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    finally:
        admin.dispose()


@dataclass(frozen=True)
class Expected:
    """What one call should become: its id (linkedid), outcome and talk time."""

    call_id: str
    kind: str
    disposition: str
    billsec: int
    direction: str


class Pbx:
    """Legs of calls as Asterisk writes them; ``freepbx`` picks the column set. Times are naive wall-clock times."""

    KINDS = ("ring_group", "queue", "transfer", "missed", "outbound")

    def __init__(self, freepbx: bool, seed: int = 0, epoch: int = 1_764_800_000) -> None:
        self.freepbx = freepbx
        self.rng = random.Random(seed)
        self.epoch = epoch
        self.counter = 0
        self.sequence = 0

    def _uniqueid(self) -> str:
        self.counter += 1
        return f"{self.epoch + self.counter // 10}.{self.counter}"

    def _row(self, start: dt.datetime, *, linkedid: str, uniqueid: str, src: str, dst: str, channel: str,
             dstchannel: str, disposition: str, billsec: int, ring: int, lastapp: str = "Dial",
             dcontext: str = "from-pstn", did: str = "", cnum: str = "") -> dict[str, Any]:
        self.sequence += 1
        duration = ring + billsec
        if not self.freepbx and did:
            dst = did  # plain Asterisk: the inbound context's extension is the DID (no did column)
        row: dict[str, Any] = {
            "clid": f'"" <{src}>', "src": src, "dst": dst, "dcontext": dcontext, "channel": channel,
            "dstchannel": dstchannel, "lastapp": lastapp, "lastdata": dstchannel.split("-")[0], "duration": duration,
            "billsec": billsec, "disposition": disposition, "amaflags": 3, "accountcode": "", "uniqueid": uniqueid,
            "userfield": "", "linkedid": linkedid, "peeraccount": "", "sequence": self.sequence,
        }
        if self.freepbx:
            outbound = DID if dcontext == "from-internal" else ""  # FreePBX records the caller ID it presented
            row.update(calldate=start, did=did, recordingfile="", cnum=cnum or src, cnam="", outbound_cnum=outbound,
                       outbound_cnam="", dst_cnam="")
        else:
            row.update(start=start, answer=start + dt.timedelta(seconds=ring) if billsec else None,
                       end=start + dt.timedelta(seconds=duration), amaflags="DOCUMENTATION")
        return row

    def call(self, kind: str, start: dt.datetime, customer: str) -> tuple[Expected, list[dict[str, Any]]]:
        """One call's legs (in the order the PBX ends them) and what it should become."""
        linkedid = self._uniqueid()
        trunk = f"PJSIP/trunk-{self.counter:08x}"
        legs: list[dict[str, Any]] = []
        if kind == "ring_group":  # 600 rings 201, 202, 203 at once; 203 answers
            for ext, disposition, talk in (("201", "NO ANSWER", 0), ("202", "NO ANSWER", 0), ("203", "ANSWERED", 65)):
                legs.append(self._row(start, linkedid=linkedid, uniqueid=linkedid, src=customer, dst="600",
                                      channel=trunk, dstchannel=f"PJSIP/{ext}-{self.counter:08x}",
                                      disposition=disposition, billsec=talk, ring=8, did=DID))
            expected = Expected(linkedid, kind, "ANSWERED", 65, "inbound")
        elif kind == "queue":  # queue 400: agents through Local channels; 202 answers after 201 did not
            for ext, disposition, talk in (("201", "NO ANSWER", 0), ("202", "ANSWERED", 120)):
                local = f"Local/{ext}@from-queue-{self.counter:08x}"
                legs.append(self._row(start, linkedid=linkedid, uniqueid=linkedid, src=customer, dst="400",
                                      channel=trunk, dstchannel=f"{local};1", disposition=disposition,
                                      billsec=talk, ring=12, lastapp="Queue", did=DID))
                legs.append(self._row(start + dt.timedelta(seconds=1), linkedid=linkedid, uniqueid=self._uniqueid(),
                                      src=customer, dst=ext, channel=f"{local};2",
                                      dstchannel=f"PJSIP/{ext}-{self.counter:08x}", disposition=disposition,
                                      billsec=talk, ring=11, dcontext="from-queue"))
            expected = Expected(linkedid, kind, "ANSWERED", 120, "inbound")
        elif kind == "transfer":  # 201 answers, then blind-transfers the customer to 202 (a new CDR of the trunk)
            legs.append(self._row(start, linkedid=linkedid, uniqueid=linkedid, src=customer, dst="201", channel=trunk,
                                  dstchannel=f"PJSIP/201-{self.counter:08x}", disposition="ANSWERED", billsec=30,
                                  ring=5, did=DID))
            legs.append(self._row(start + dt.timedelta(seconds=35), linkedid=linkedid, uniqueid=linkedid,
                                  src=customer, dst="202", channel=trunk, dstchannel=f"PJSIP/202-{self.counter:08x}",
                                  disposition="ANSWERED", billsec=40, ring=4,
                                  dcontext="from-internal-xfer" if self.freepbx else "from-pstn",
                                  did=DID if self.freepbx else ""))
            expected = Expected(linkedid, kind, "ANSWERED", 40, "inbound")
        elif kind == "missed":
            legs.append(self._row(start, linkedid=linkedid, uniqueid=linkedid, src=customer, dst="201", channel=trunk,
                                  dstchannel=f"PJSIP/201-{self.counter:08x}", disposition="NO ANSWER", billsec=0,
                                  ring=25, did=DID))
            expected = Expected(linkedid, kind, "NO ANSWER", 0, "inbound")
        elif kind == "outbound":
            legs.append(self._row(start, linkedid=linkedid, uniqueid=linkedid, src="201", dst=customer,
                                  channel=f"PJSIP/201-{self.counter:08x}", dstchannel=f"{trunk}-out",
                                  disposition="ANSWERED", billsec=45, ring=6, dcontext="from-internal"))
            expected = Expected(linkedid, kind, "ANSWERED", 45, "outbound")
        else:
            raise ValueError(kind)
        return expected, legs


def insert(engine: sa.Engine, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows as the PBX does (one statement per row: cdr_adaptive_odbc, cdr_mysql)."""
    if not rows:
        return
    target = sa.table(table, *(sa.column(name) for name in rows[0]))
    with engine.begin() as connection:
        for row in rows:
            connection.execute(target.insert().values(**row))


def create_table(engine: sa.Engine, freepbx: bool, table: str = "cdr") -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql((FREEPBX_DDL if freepbx else ASTERISK_DDL).format(table=table))


def reader_user(engine: sa.Engine, database: str, freepbx: bool) -> tuple[str, str]:
    """A user that may only read the CDR table, as an admin would make for us: (name, password)."""
    name, password = f"cdrreader{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    if freepbx:  # the test user may not grant: root, through the throw-away server's socket
        root = sa.create_engine(f"mysql+pymysql://root@localhost/?unix_socket={mariadb_socket()}",
                                isolation_level="AUTOCOMMIT")
        try:
            with root.connect() as connection:
                connection.exec_driver_sql(f"CREATE USER '{name}'@'127.0.0.1' IDENTIFIED BY '{password}'")
                connection.exec_driver_sql(f"GRANT SELECT ON {database}.* TO '{name}'@'127.0.0.1'")
        finally:
            root.dispose()
        return name, password
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        connection.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {name}")
        connection.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}")
    return name, password


def mariadb_socket() -> str:
    """The socket of tools/mariadb_server.sh's server (root may use it): BIZTEL_MARIADB_DIR/mysql.sock."""
    return os.path.join(os.environ.get("BIZTEL_MARIADB_DIR", ""), "mysql.sock")


def source_url(database_url: str, user: str, freepbx: bool) -> str:
    """The URL an admin types (no driver, no password)."""
    url = sa.make_url(database_url)
    scheme = "mysql" if freepbx else "postgresql"
    return f"{scheme}://{user}@{url.host}:{url.port}/{url.database}"


def server_url(freepbx: bool) -> str | None:
    return os.environ.get("BIZTEL_TEST_MARIADB_URL" if freepbx else "BIZTEL_TEST_POSTGRES_URL")
