"""The one reader of Salesforce error bodies (salesforce/errors.error_of_body), and errors in the admin's words."""

from __future__ import annotations

import json

import pytest

from biztel_desk.domain.failures import failure_text
from biztel_desk.engine.linker import StepResult
from biztel_desk.engine.worker import LinkWorker, WorkerState
from biztel_desk.salesforce.errors import PermanentError, error_of_body


@pytest.mark.parametrize(("body", "expected"), [
    # REST: a list of errors (the first one counts), as bytes, text or parsed JSON
    (b'[{"errorCode": "INVALID_FIELD", "message": "No such column \'B_X__c\'\\n on entity Task"}]',
     ("INVALID_FIELD", "No such column 'B_X__c' on entity Task")),
    ('{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}',
     ("NOT_FOUND", "The requested resource does not exist")),
    ([{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
     ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")),
    # OAuth token endpoint
    ({"error": "invalid_grant", "error_description": "expired access/refresh token"},
     ("invalid_grant", "expired access/refresh token")),
    # not JSON (an HTML page from a proxy), empty, or another shape: the fallback code
    (b"<html>Service Unavailable</html>", ("HTTP_503", "")),
    (b"", ("HTTP_503", "")),
    ([], ("HTTP_503", "")),
    ("[1, 2]", ("HTTP_503", "")),
])
def test_error_bodies(body: object, expected: tuple[str, str]) -> None:
    assert error_of_body(body, "HTTP_503") == expected


def test_a_long_message_is_cut_to_the_limit() -> None:
    body = json.dumps([{"errorCode": "X", "message": "a" * 5000}])
    assert len(error_of_body(body, "?")[1]) == 300
    assert len(error_of_body(body, "?", limit=1000)[1]) == 1000


def test_the_worker_says_a_salesforce_refusal_in_the_admins_language_with_the_code(database, secrets) -> None:  # type: ignore[no-untyped-def]
    worker = LinkWorker(database, secrets, lang="ja")
    error = PermanentError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
    state, message, _delay = worker._failure("本社", StepResult("本社", error=error), 0)
    assert state == WorkerState.ERROR
    assert "連携ユーザに権限がありません" in message and "(INSUFFICIENT_ACCESS_OR_READONLY" in message
    assert message == "「本社」: Salesforceがエラーを返しました: " + failure_text(error.code, error.message, "ja")
    english = LinkWorker(database, secrets, lang="en")._failure("HQ", StepResult("HQ", error=error), 0)[1]
    assert "The integration user lacks access" in english and "INSUFFICIENT_ACCESS_OR_READONLY" in english
