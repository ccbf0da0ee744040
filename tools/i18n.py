"""Translation workflow: ``update`` runs lupdate over the UI, ``apply FILE.json`` fills English texts, ``release`` builds .qm.

Japanese is the source language of every ``self.tr()`` string; ``biztel_desk_en.ts`` holds the English.
FILE.json is ``{"Context": {"日本語の原文": "English text", ...}, ...}`` (Context = the class name).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from biztel_desk import resources_path

ROOT = Path(__file__).resolve().parent.parent
TS = resources_path("translations", "biztel_desk_en.ts")  # the source: resources/ of this checkout
BIN = Path(sys.executable).parent


def update() -> None:
    sources = sorted(str(p) for p in (ROOT / "biztel_desk" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources, "-source-language", "ja_JP", "-target-language", "en_US", "-no-obsolete", "-ts", str(TS)], check=True)


def apply(path: str) -> None:
    mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    tree = ET.parse(TS)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            english = mapping.get(name, {}).get(source)
            translation = message.find("translation")
            if english is not None and translation is not None:
                translation.text = english
                translation.attrib.pop("type", None)
                filled += 1
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    print(f"filled {filled} translations")


def missing() -> int:
    tree = ET.parse(TS)
    count = 0
    for context in tree.getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") == "unfinished" or not (translation.text or "").strip():
                count += 1
                print(f"{context.findtext('name')}: {message.findtext('source')}")
    return count


def release() -> None:
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "all"
    if verb == "update":
        update()
    elif verb == "apply":
        apply(sys.argv[2])
    elif verb == "missing":
        raise SystemExit(1 if missing() else 0)
    elif verb == "release":
        release()
    else:
        update()
        release()
