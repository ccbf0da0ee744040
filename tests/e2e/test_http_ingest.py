"""The HTTP ingest endpoint over real HTTP on 127.0.0.1: auth, validation with index and field, idempotency."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from biztel_desk.ingest import http as ingest_http
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob


@pytest.fixture
def server(context: AppContext) -> Iterator[ingest_http.HttpIngestServer]:
    ingest_http.generate_token(context.secrets)
    instance = ingest_http.HttpIngestServer(context.database, context.secrets, port=0, time_zone="Asia/Tokyo")
    instance.start()
    yield instance
    instance.stop()


def _post(server: ingest_http.HttpIngestServer, body: Any, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(kwargs.pop("headers", {}))
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return requests.post(server.url, data=data, headers=headers, timeout=10, **kwargs)


def _token(context: AppContext) -> str:
    token = ingest_http.get_token(context.secrets)
    assert token is not None
    return str(token)


CALL = {
    "unique_id": "h-1",
    "from_number": "090-1111-2222",
    "to_number": "03-1234-5678",
    "started_at": "2024-04-01 09:00:00",
    "ended_at": "2024-04-01T09:03:00+09:00",
    "to_agent_id": "agent01",
    "to_extension": "201",
}


def _calls(context: AppContext) -> dict[str, Call]:
    with context.database.read() as session:
        return {c.unique_id: c for c in session.scalars(select(Call))}


def test_loopback_url_and_health(server: ingest_http.HttpIngestServer) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/v1/calls")
    assert requests.get(server.url.replace("/v1/calls", "/v1/health"), timeout=10).json() == {"status": "ok"}


def test_auth_missing_or_wrong_is_401(server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    missing = _post(server, CALL)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "bearer token" in missing.json()["errors"][0]["message"]
    assert _post(server, CALL, token="wrong").status_code == 401
    assert _post(server, CALL, headers={"Authorization": f"Basic {_token(context)}"}).status_code == 401
    assert _calls(context) == {}


def test_one_call_then_the_same_again(server: ingest_http.HttpIngestServer, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    token = _token(context)
    first = _post(server, CALL, token)
    assert (first.status_code, first.json()) == (200, {"imported": 1, "known": 0})
    again = _post(server, [CALL], token)
    assert (again.status_code, again.json()) == (200, {"imported": 0, "known": 1})
    call = _calls(context)["h-1"]
    assert (call.direction, call.customer_e164, call.company_e164, call.source) == ("inbound", "+819011112222", "+81312345678", "http")
    assert call.started_at == dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)  # naive: read in Asia/Tokyo
    assert call.duration_s == 180
    with context.database.read() as session:
        assert [job.state for job in session.scalars(select(LinkJob))] == ["pending"]


def test_an_array_of_calls(server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    calls = [dict(CALL, unique_id=f"h-{i}") for i in range(50)]
    calls.append(dict(CALL, unique_id="anon", from_number=""))  # an anonymous caller is a call too
    response = _post(server, calls, _token(context))
    assert response.json() == {"imported": 51, "known": 0}
    assert _calls(context)["anon"].customer_e164 is None


def test_bad_json_is_400(server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    response = _post(server, b'{"unique_id": ', _token(context))
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]
    scalar = _post(server, b"42", _token(context))
    assert scalar.status_code == 400
    assert "JSON object" in scalar.json()["errors"][0]["message"]


def test_a_bad_field_is_422_naming_index_and_field_and_nothing_is_saved(
    server: ingest_http.HttpIngestServer, context: AppContext
) -> None:
    calls = [
        dict(CALL, unique_id="ok-1"),
        dict(CALL, unique_id="bad-date", started_at="yesterday"),
        dict(CALL, unique_id="ok-2"),
        {k: v for k, v in CALL.items() if k != "to_number"} | {"unique_id": "no-to"},
        dict(CALL, unique_id="number", from_number=9011112222),
        dict(CALL, unique_id="typo", startedAt="2024-04-01 09:00:00"),
        dict(CALL, unique_id="dur", duration_s="10"),
        "not an object",
    ]
    response = _post(server, calls, _token(context))
    assert response.status_code == 422
    errors = [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]]
    assert errors == [
        (1, "started_at", "bad_date"),
        (3, "to_number", "required"),
        (4, "from_number", "not_text"),
        (5, "startedAt", "unknown_field"),
        (6, "duration_s", "bad_integer"),
        (7, "", "not_object"),
    ]
    assert "yesterday" in response.json()["errors"][0]["message"]
    assert _calls(context) == {}  # the whole request or nothing


def test_content_type_and_size_limits(context: AppContext) -> None:
    ingest_http.generate_token(context.secrets)
    server = ingest_http.HttpIngestServer(
        context.database, context.secrets, port=0, max_bytes=2000, max_items=3, time_zone="Asia/Tokyo"
    )
    server.start()
    try:
        token = _token(context)
        wrong_type = _post(server, CALL, token, headers={"Content-Type": "text/csv"})
        assert wrong_type.status_code == 415
        too_big = _post(server, [dict(CALL, unique_id=f"x{i}") for i in range(20)], token)
        assert too_big.status_code == 413
        too_many = _post(server, [dict(CALL, unique_id=f"y{i}") for i in range(4)], token)
        assert too_many.status_code == 413
        assert _post(server, CALL, token).status_code == 200  # the server still answers after refusing
    finally:
        server.stop()


def test_a_non_loopback_bind_is_refused_unless_allowed(context: AppContext) -> None:
    ingest_http.generate_token(context.secrets)
    refused = ingest_http.HttpIngestServer(context.database, context.secrets, host="0.0.0.0", port=0)
    with pytest.raises(ingest_http.IngestConfigError) as error:
        refused.start()
    assert error.value.code == "remote_bind"
    assert "127.0.0.1" in error.value.text("ja")
    assert not refused.running
    allowed = ingest_http.HttpIngestServer(context.database, context.secrets, host="0.0.0.0", port=0, allow_remote=True)
    allowed.start()
    try:
        assert allowed.running
        assert requests.get(f"http://127.0.0.1:{allowed.port}/v1/health", timeout=10).status_code == 200
    finally:
        allowed.stop()


def test_no_token_no_server(context: AppContext) -> None:
    with pytest.raises(ingest_http.IngestConfigError) as error:
        ingest_http.HttpIngestServer(context.database, context.secrets, port=0).start()
    assert error.value.code == "no_token"


def test_a_new_token_replaces_the_old_one(server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    old = _token(context)
    new = ingest_http.generate_token(context.secrets)
    assert str(new) != old and "***" in repr(new)  # a Secret never shows itself in logs or tracebacks
    server.reload_token()
    assert _post(server, CALL, old).status_code == 401
    assert _post(server, CALL, str(new)).status_code == 200


def test_config_is_off_and_loopback_by_default(context: AppContext) -> None:
    config = ingest_http.load_config(context.database)
    assert (config.enabled, config.host, config.allow_remote) == (False, "127.0.0.1", False)
    ingest_http.save_config(context.database, ingest_http.HttpIngestConfig(enabled=True, port=9000))
    assert ingest_http.load_config(context.database) == ingest_http.HttpIngestConfig(enabled=True, port=9000)
