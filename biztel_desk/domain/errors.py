"""The one base class of known failures: what the user can act on, as opposed to a bug."""

from __future__ import annotations


class KnownError(Exception):
    """A failure the user can act on (no network, a locked database, a refused login, a Salesforce refusal).

    ``text(lang)`` says what went wrong and what to do, in the user's language ("ja" or "en"), without a secret.
    The window shows it as a message, never as a crash (``ui/tasks.py``); the CLI prints it and exits non-zero.
    Anything that is not a ``KnownError`` (or mapped to one) is a bug and goes to the one crash path.
    """

    def text(self, lang: str = "ja") -> str:
        return str(self)


def error_text(error: BaseException, lang: str = "ja") -> str:
    """What to show for a failure a job handed to its ``on_error``: a known error's text, else the error itself."""
    return error.text(lang) if isinstance(error, KnownError) else str(error)
