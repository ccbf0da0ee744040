"""Secret-looking values replaced by ``***`` in text bound for a log, a crash report or a message."""

from __future__ import annotations

import re

# key=value, key: value, "key": "value" where the key mentions a secret; the value is replaced.
_SECRET_PAIR = re.compile(
    r"""(?ix)
    (?P<key>["']?[\w.-]*(?:password|passwd|pwd|token|secret|private[_-]?key|api[_-]?key|key)[\w.-]*["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s,;&)\]}]+)
    """
)
# Authorization headers and PEM blocks, wherever they appear.
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=!-]{8,}")  # Salesforce session ids contain "!"
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.DOTALL)


def scrub(text: str) -> str:
    """Replace anything that looks like a secret value with ``***``."""
    text = _PEM.sub("-----PEM REDACTED-----", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return _SECRET_PAIR.sub(_redact_pair, text)


def _redact_pair(match: re.Match[str]) -> str:
    key = match.group("key")
    if key.lstrip("\"'").lower().startswith(("keyerror", "keyboardinterrupt")):  # exception names, not secrets
        return match.group(0)
    return f"{key}***"
