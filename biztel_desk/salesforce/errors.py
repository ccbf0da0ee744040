"""What can go wrong talking to Salesforce, sorted by what the engine must do about it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick

# Per-record error codes worth trying again later (SPEC §9). Everything else a record can fail with is the
# data's or the org's fault and will fail the same way next time.
TRANSIENT_RECORD_CODES = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "SERVER_UNAVAILABLE",
        "REQUEST_RUNNING_TOO_LONG",
        "QUERY_TIMEOUT",
        # (unverified) What Salesforce reports for records of an all-or-none request rolled back because
        # another record failed: the record itself was fine, so it is sent again.
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "PROCESSING_HALTED",
    }
)


def error_of_body(body: Any, fallback_code: str, limit: int = 300) -> tuple[str, str]:
    """Salesforce's error code and message from an error body, on one line and at most ``limit`` characters.

    The one reader of Salesforce error bodies: REST ``[{"errorCode": …, "message": …}]`` (a list, or one object),
    OAuth ``{"error": …, "error_description": …}``; ``body`` may be bytes, text or already parsed JSON. Anything
    else gives ``(fallback_code, "")`` (a non-JSON body: an HTML error page says nothing useful).
    """
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            return fallback_code, ""
    first = body[0] if isinstance(body, list) and body else body
    if not isinstance(first, dict):
        return fallback_code, ""
    code = first.get("errorCode") or first.get("error") or fallback_code
    message = first.get("message") or first.get("error_description") or ""
    return str(code), " ".join(str(message).split())[:limit]


class GatewayError(KnownError):
    """A known failure of a Salesforce call. ``code`` is Salesforce's errorCode (or ours), ``message`` its text."""

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}" if message else code)

    def text(self, lang: str = "ja") -> str:
        return pick(lang, f"Salesforceが要求を受け付けませんでした({self})。しばらくしてからもう一度お試しください。",
                    f"Salesforce did not accept the request ({self}). Try again in a while.")


class TransientError(GatewayError):
    """Network error, timeout before sending, HTTP 5xx on a read, session expired twice: try again later."""


class LimitExceeded(GatewayError):
    """REQUEST_LIMIT_EXCEEDED: the org's daily API requests are used up. Pause; never log in again for it."""


class ConcurrentLimitExceeded(TransientError):
    """REQUEST_LIMIT_EXCEEDED for the concurrent long-running request limit (25 in production and sandboxes,
    5 in Developer Edition; requests running over 20 s count), told apart from the daily limit by its message
    ("ConcurrentPerOrgLongTxn Limit exceeded."). Salesforce refused the request: try again after a short wait.
    """


class UnknownOutcome(GatewayError):
    """A write request left, but no answer came back: Salesforce may or may not have applied it — and may still
    apply it up to its server-side limit for a REST write (10 minutes) after the client gave up."""


class PermanentError(GatewayError):
    """Salesforce refused the request itself (bad field, no access…): sending it again fails the same way."""


class AuthError(GatewayError):
    """Logging in was refused or is impossible (secret missing). ``text(lang)`` says what to do."""

    def __init__(self, code: str, message: str = "", texts: tuple[str, str] | None = None) -> None:
        super().__init__(code, message)
        self._texts = texts

    def text(self, lang: str = "ja") -> str:
        if self._texts is None:
            return self.message or self.code
        return pick(lang, *self._texts)


@dataclass(frozen=True)
class RecordError:
    """Why one record of a collections or composite call failed."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_RECORD_CODES

    def text(self) -> str:
        where = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.code}: {self.message}{where}"


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing one record: its Id, or the error Salesforce gave for it."""

    id: str | None
    error: RecordError | None = None
    created: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None and self.id is not None
