"""Recording-link templates (``[system] recording_url_template``): parsed by hand, never with str.format.

A template is literal text with placeholders: ``{server}``, ``{request_id}``, ``{unique_id}``,
``{recording_file}``, and ``{start}`` / ``{start:%Y/%m/%d}`` (strftime directives on the call's start in the
display time zone). ``{{`` and ``}}`` are literal braces. Nothing else is accepted: no other names, no format
specs, no attribute or index access — a template is data, and rendering it can only substitute these values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

URL_PLACEHOLDERS = ("server", "request_id", "unique_id", "recording_file", "start")
DEFAULT_RECORDING_URL_TEMPLATE = "{server}/monitor_link/{request_id}"  # BIZTEL's playback page
START_DEFAULT_FORMAT = "%Y%m%d%H%M%S"
# strftime directives that are the same on every platform (no %-d, no locale-dependent %c/%x).
_DIRECTIVES = frozenset("YmdHMSyjbBaApIUWzZ%")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class Part:
    text: str = ""  # literal text, when name is ""
    name: str = ""
    spec: str = ""  # strftime format, for start only


class TemplateError(ValueError):
    """``key`` is the offending placeholder, or "{" / "}" for a brace without its pair."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse(template: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            parts.append(Part(template[position:match.start()]))
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(Part(token[0]))
            continue
        if match.group(1) is None:
            raise TemplateError(token)
        body = match.group(1)
        name, colon, spec = body.partition(":")
        if name not in URL_PLACEHOLDERS:
            raise TemplateError(body)
        if colon and (name != "start" or not _strftime_ok(spec)):
            raise TemplateError(body)
        parts.append(Part(name=name, spec=spec if colon else (START_DEFAULT_FORMAT if name == "start" else "")))
    if position < len(template):
        parts.append(Part(template[position:]))
    return tuple(parts)


def _strftime_ok(spec: str) -> bool:
    if not spec:
        return False
    i = 0
    while i < len(spec):
        if spec[i] == "%":
            if i + 1 >= len(spec) or spec[i + 1] not in _DIRECTIVES:
                return False
            i += 2
        else:
            i += 1
    return True


def names(template: str) -> frozenset[str]:
    return frozenset(p.name for p in parse(template) if p.name)


def render(template: str, values: dict[str, str], start: dt.datetime) -> str:
    """The template with its placeholders replaced; a template that does not parse renders as ""."""
    try:
        parts = parse(template)
    except TemplateError:
        return ""
    out = []
    for part in parts:
        if not part.name:
            out.append(part.text)
        elif part.name == "start":
            out.append(start.strftime(part.spec))
        else:
            out.append(values.get(part.name, ""))
    return "".join(out)
