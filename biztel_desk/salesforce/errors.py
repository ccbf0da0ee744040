"""What can go wrong talking to Salesforce, sorted by what the engine must do about it."""

from __future__ import annotations

from dataclasses import dataclass

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


class GatewayError(Exception):
    """A known failure of a Salesforce call. ``code`` is Salesforce's errorCode (or ours), ``message`` its text."""

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}" if message else code)


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
