"""Link job states and how the link status decides a new call's job (SPEC §5)."""

from __future__ import annotations

import enum

from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.vocabulary import EXCLUDE_REASONS, JOB_STATES, word


class JobState(enum.StrEnum):
    PENDING = "pending"  # waiting to be matched and sent
    HELD = "held"  # arrived while paused: kept, sent after the setting is enabled again
    SENDING = "sending"  # in a batch whose HTTP call may have happened: outcome must be looked up
    RETRYING = "retrying"  # waiting for next_retry_at (no match yet, or a transient failure)
    LINKED = "linked"  # Task written; task_id set
    FAILED = "failed"  # a permanent Salesforce error; retriable by hand
    SKIPPED = "skipped"  # on_no_match = skip (or an anonymous caller with skip): recorded, nothing written
    EXCLUDED = "excluded"  # the call is kept but not linked (ExcludeReason says why); never sent, see relink
    # A linked call changed (a late leg): its Task is updated once — waiting, in flight (outcome looked up
    # before any resend, like ``sending``), done. task_id stays set throughout.
    UPDATE_PENDING = "update_pending"
    UPDATE_SENDING = "update_sending"
    UPDATED = "updated"


# What the admin sees for a state: domain.vocabulary.JOB_STATES (the tab, its CSV and the CLI use those words).
# Jobs whose call has a Task in Salesforce (counted as linked).
TASK_STATES = frozenset({JobState.LINKED, JobState.UPDATE_PENDING, JobState.UPDATE_SENDING, JobState.UPDATED})


class ExcludeReason(enum.StrEnum):
    """Why a call got an excluded job (stored in link_jobs.error_code)."""

    NUMBER_UNCHECKED = "number_unchecked"  # its company number is a target whose 連携 box is not ticked
    UNKNOWN_NUMBER = "unknown_number"  # its company side matches no target number and no alias
    NO_DEFAULT_OUTBOUND = "no_default_outbound"  # outbound, no company number recorded, no 既定の発信番号
    INTERNAL = "internal"  # extension to extension
    UNANSWERED = "unanswered"  # on_unanswered = skip and nobody answered


def exclude_reason_label(code: str, lang: str = "ja") -> str:
    """The words for an excluded job's reason code; an unknown code is shown as is."""
    return word(EXCLUDE_REASONS, code, lang)


def initial_job_state(status: LinkStatus | str) -> JobState | None:
    """enabled → pending, paused → held, disabled → no job at all (the call is still stored as history)."""
    status = LinkStatus(status)
    if status == LinkStatus.ENABLED:
        return JobState.PENDING
    if status == LinkStatus.PAUSED:
        return JobState.HELD
    return None


def state_label(state: str, lang: str = "ja") -> str:
    return word(JOB_STATES, state, lang)
