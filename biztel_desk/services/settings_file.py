"""Settings as a TOML file (CLI.md): export everything but secrets; import validates all before changing anything."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import tomli_w

from biztel_desk.domain.config import (
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    OnUnanswered,
    SystemSettings,
    validate_account,
    validate_setting,
    validate_system,
)
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.ingest import cdr_db as ingest_cdr_db
from biztel_desk.ingest.cdr_db import CdrDbConfig
from biztel_desk.services import ingest_sources
from biztel_desk.services.config import ConfigService
from biztel_desk.store import repos

_ACCOUNT_KEYS = {f.name: f.type for f in fields(AccountConfig)}
_SETTING_SCALARS = {
    "name": str,
    "account": str,
    "fallback_record_id": str,
    "api_consent": bool,
    "memo": str,
    "on_multiple_match": str,
    "on_no_match": str,
    "activity_mode": str,
    "status": str,
    "on_unanswered": str,
}
_OBJECT_KEYS: dict[str, type] = {"api_name": str, "tab_name": str, "tab_code": str, "priority": int}
_TARGET_KEYS: dict[str, Any] = {"number": str, "enabled": bool, "default_outbound": bool, "aliases": list}
# [ingest.cdr_db]: the PBX's CDR database as a call source (`ingest config --cdr-db`). Its password is in the keyring.
_CDR_DB_KEYS: dict[str, Any] = {"enabled": bool, "url": str, "table": str, "schema": str, "time_zone": str, "start": str,
                                "interval_s": float, "overlap_s": int, "max_call_s": int}


@dataclass(frozen=True)
class ImportSummary:
    accounts: int
    settings: int
    system: int


_COMMENTS = {
    "retention_days": "1..180",
    "playback_auth": "url | admin",
    "auth_method": "password | jwt | client_credentials | oauth_browser",
    "login_host": "login | test | acme.my.salesforce.com | http://127.0.0.1:PORT",
    "on_multiple_match": "fallback | all | most_recent | priority",
    "on_no_match": "fallback | retry_then_fallback | skip | create_lead",
    "activity_mode": "task | case_and_task",
    "status": "enabled | paused | disabled",
    "default_outbound": "既定の発信番号: at most one per setting",
    "on_unanswered": " | ".join(OnUnanswered),  # skip: unanswered calls stay 対象外 (未応答で連携しない)
    "aliases": "the PBX's own spellings of this number",
    "time_zone": "empty = the system's",
    "recording_url_template": "{server} {request_id} {unique_id} {recording_file} {start:%Y/%m/%d}",
    "call_settle_s": "0..600: seconds a watched-folder/HTTP call waits after its last leg before it is linked",
    "outside_line_prefix": "what phones dial before an outside number (stripped from dialled numbers); empty = none",
    "url": "mysql://USER@HOST:3306/DB | postgresql://USER@HOST:5432/DB (no password)",
    "schema": " | ".join(ingest_cdr_db.SCHEMAS),
    "start": "now | days:N (the first run; then the stored position)",
}


def export_toml(config: ConfigService) -> str:
    """The whole configuration in the layout of CLI.md (``[[settings.objects]]`` tables, commented choices)."""
    with config.database.read() as session:
        system = repos.load_system(session)
        accounts = repos.list_accounts(session)
        settings = repos.list_settings(session)
    lines = ["# BIZTEL Desk settings. Secrets are never exported: set them with `biztel-desk account set-secret`.", ""]
    lines += ["[system]", *_pairs(system.as_dict()), ""]
    for account in accounts:
        lines += ["[[accounts]]", *_pairs(asdict(account)), ""]
    for setting in settings:
        lines += ["[[settings]]", *_pairs({key: getattr(setting, key) for key in _SETTING_SCALARS}), ""]
        for obj in setting.objects:
            lines += ["[[settings.objects]]", *_pairs(asdict(obj)), ""]
        for target in setting.targets:
            values = asdict(target)
            values["aliases"] = list(target.aliases)
            if not values["aliases"]:
                del values["aliases"]  # most numbers have none
            lines += ["[[settings.targets]]", *_pairs(values), ""]
    cdr_db = ingest_cdr_db.load_config(config.database)
    if cdr_db.url:  # once configured (`ingest config --cdr-db`)
        lines += ["# The password: `biztel-desk ingest set-secret cdr-db`.", "[ingest.cdr_db]",
                  *_pairs(asdict(cdr_db)), ""]
    return "\n".join(lines)


COMMENT_COLUMN = 36  # where the comments of short lines start, as in CLI.md


def _pairs(values: dict[str, Any]) -> list[str]:
    out = []
    for key, value in values.items():
        if isinstance(value, list):  # one line, like the other keys (tomli_w writes an item per line)
            items = ", ".join(tomli_w.dumps({"v": item}).rstrip("\n").removeprefix("v = ") for item in value)
            line = f"{key} = [{items}]"
        else:
            line = tomli_w.dumps({key: value}).rstrip("\n")
        comment = _COMMENTS.get(key)
        # Aligned when the value is short; a long one (login_host = "http://127.0.0.1:42657") still gets two spaces.
        out.append(f"{line:<{COMMENT_COLUMN - 2}}  # {comment}" if comment else line)
    return out


def parse(text: str, known_accounts: set[str]) -> tuple[dict[str, Any] | None, list[AccountConfig], list[LinkSettingConfig], list[Problem]]:
    """Parse and validate a settings document; returns (system values, accounts, settings, problems)."""
    system_values, accounts, settings, _, problems = _parse(text, known_accounts)
    return system_values, accounts, settings, problems


def _parse(text: str, known_accounts: set[str]) -> tuple[
        dict[str, Any] | None, list[AccountConfig], list[LinkSettingConfig], dict[str, Any] | None, list[Problem]]:
    """``parse``, and the values of ``[ingest.cdr_db]`` (checked against the saved source by ``import_toml``)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [], [], None, [Problem("toml_syntax", "", {"detail": str(error)})]
    problems: list[Problem] = []
    for key in document:
        if key not in {"system", "accounts", "settings", "ingest"}:
            problems.append(Problem("unknown_key", key, {"key": key}))
    cdr_db_values = _ingest_values(document, problems)

    system_values: dict[str, Any] | None = None
    if "system" in document:
        if isinstance(document["system"], dict):
            system_values = dict(document["system"])
            _, system_problems = validate_system(system_values, "system")
            problems += system_problems
        else:
            problems.append(Problem("not_table", "system"))

    accounts: list[AccountConfig] = []
    for index, table in enumerate(_tables(document, "accounts", problems)):
        path = f"accounts[{index}]"
        values = _take(table, {k: str for k in _ACCOUNT_KEYS}, path, problems, required=("name",),
                       labels={"name": "account_name"})
        if values is None:
            continue
        account, account_problems = validate_account(AccountConfig(**values), path)
        problems += account_problems
        if any(a.name == account.name for a in accounts):
            problems.append(Problem("duplicate_name", f"{path}.name", {"value": account.name, "label_field": "account_name"}))
        accounts.append(account)

    region = str((system_values or {}).get("default_region", "JP"))
    all_accounts = known_accounts | {a.name for a in accounts}
    settings: list[LinkSettingConfig] = []
    for index, table in enumerate(_tables(document, "settings", problems)):
        path = f"settings[{index}]"
        scalars = {k: v for k, v in table.items() if k not in {"objects", "targets"}}
        values = _take(scalars, _SETTING_SCALARS, path, problems, required=("name", "account", "fallback_record_id"))
        objects = []
        for object_index, object_table in enumerate(_tables(table, "objects", problems, path)):
            object_values = _take(object_table, _OBJECT_KEYS, f"{path}.objects[{object_index}]", problems, required=("api_name", "tab_code", "priority"))
            if object_values is not None:
                objects.append(LinkObjectConfig(**{"tab_name": "", **object_values}))
        targets = []
        for target_index, target_table in enumerate(_tables(table, "targets", problems, path)):
            target_values = _take(target_table, _TARGET_KEYS, f"{path}.targets[{target_index}]", problems, required=("number",))
            if target_values is not None:
                if "aliases" in target_values:
                    target_values["aliases"] = tuple(target_values["aliases"])
                targets.append(LinkTargetConfig(**target_values))
        if values is None:
            continue
        setting = LinkSettingConfig(**values)
        if "objects" in table:
            setting = replace(setting, objects=tuple(objects))
        setting = replace(setting, targets=tuple(targets))
        setting, setting_problems = validate_setting(setting, all_accounts, region, path)
        problems += setting_problems
        if any(s.name == setting.name for s in settings):
            problems.append(Problem("duplicate_name", f"{path}.name", {"value": setting.name}))
        settings.append(setting)
    return system_values, accounts, settings, cdr_db_values, problems


def _ingest_values(document: dict[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    """The typed values of ``[ingest.cdr_db]`` (None: the file has none)."""
    ingest = _table(document, "ingest", "ingest", problems)
    for key in ingest or {}:
        if key != "cdr_db":
            problems.append(Problem("unknown_key", f"ingest.{key}", {"key": key}))
    table = _table(ingest or {}, "cdr_db", "ingest.cdr_db", problems)
    return None if table is None else _take(table, _CDR_DB_KEYS, "ingest.cdr_db", problems)


def _table(document: dict[str, Any], key: str, path: str, problems: list[Problem]) -> dict[str, Any] | None:
    """``document[key]`` when it is a table; None when absent, or not a table (a problem)."""
    value = document.get(key)
    if value is not None and not isinstance(value, dict):
        problems.append(Problem("not_table", path))
    return value if isinstance(value, dict) else None


def _cdr_db_config(session: Any, values: dict[str, Any], problems: list[Problem]) -> CdrDbConfig:
    """The saved CDR database source with the file's values, checked as `ingest config --cdr-db` checks it."""
    merged = replace(ingest_cdr_db.config_in(session), **values)
    merged = replace(merged, url=merged.url.strip(), table=merged.table.strip())
    found = ingest_sources.check_cdr_db(merged)
    if not found and merged.enabled and not merged.start and ingest_cdr_db.position_in(session, merged) is None:
        found.append(ingest_sources.SettingProblem("cdr_start", *ingest_sources.NO_START))
    for problem in found:
        key = problem.field.removeprefix("cdr_")
        problems.append(Problem("said", f"ingest.cdr_db.{key}", {"ja": problem.ja, "en": problem.en}))
    return merged


def import_toml(config: ConfigService, text: str) -> ImportSummary:
    """Replace the accounts, settings and system values the file names, all in one transaction."""
    with config.database.begin() as session:
        system_values, accounts, settings, cdr_db_values, problems = _parse(text, repos.account_names(session))
        cdr_db = _cdr_db_config(session, cdr_db_values, problems) if cdr_db_values is not None else None
        if problems:
            raise ProblemsError(problems)
        if cdr_db is not None:
            repos.set_preference(session, ingest_cdr_db.PREFERENCE_KEY, asdict(cdr_db))
        if system_values is not None:
            current = repos.load_system(session)
            merged, _ = validate_system(system_values, "system")
            repos.save_system(session, replace(current, **{key: getattr(merged, key) for key in system_values}))
        region = repos.load_system(session).default_region
        for account in accounts:
            repos.upsert_account(session, account)
        for setting in settings:
            row = repos.find_setting(session, setting.name)
            if row is not None and row.status != setting.status:
                repos.set_status(session, row, LinkStatus(setting.status))
            row = repos.upsert_setting_basic(session, setting, region=region)
            repos.replace_objects(session, row, setting.objects)
            repos.replace_targets(session, row, setting.targets, region)
    return ImportSummary(len(accounts), len(settings), len(system_values or {}))


def _tables(document: dict[str, Any], key: str, problems: list[Problem], parent: str = "") -> list[dict[str, Any]]:
    path = f"{parent}.{key}" if parent else key
    value = document.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem("not_list", path))
        return []
    tables = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            tables.append(item)
        else:
            problems.append(Problem("not_table", f"{path}[{index}]"))
    return tables


def _take(
    table: dict[str, Any],
    spec: dict[str, Any],
    path: str,
    problems: list[Problem],
    required: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """Typed values of a table: unknown keys, wrong types and missing required keys become problems."""
    values: dict[str, Any] = {}
    ok = True
    for key, value in table.items():
        where = f"{path}.{key}"
        expected = spec.get(key)
        if expected is None:
            problems.append(Problem("unknown_key", where, {"key": key}))
            ok = False
        elif expected in (bool, "bool") and not isinstance(value, bool):
            problems.append(Problem("not_boolean", where))
            ok = False
        elif expected in (int, "int") and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(Problem("not_integer", where, {"value": value}))
            ok = False
        elif expected is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Problem("not_number", where, {"value": value}))
            ok = False
        elif expected in (str, "str") and not isinstance(value, str):
            problems.append(Problem("not_text", where))
            ok = False
        elif expected is list and (not isinstance(value, list) or not all(isinstance(item, str) for item in value)):
            problems.append(Problem("not_text_list", where))
            ok = False
        else:
            values[key] = value
    for key in required:
        if key not in table:
            extra = {"label_field": labels[key]} if labels and key in labels else {}
            problems.append(Problem("required", f"{path}.{key}", extra))
            ok = False
    return values if ok else None


__all__ = ["ImportSummary", "SystemSettings", "export_toml", "import_toml", "parse"]
