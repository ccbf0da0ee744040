"""Japanese messages end their sentences with 。, never with an English ". " (such as "…しました(x). 次回…")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "biztel_desk"
KANA = re.compile(r"[\u3040-\u30ff]")  # a string with kana is Japanese text
# An ASCII full stop ending a Japanese sentence: after Japanese or a closing bracket, before Japanese or the end.
# Numbered steps ("1. 静的リソース") are not sentences.
ENGLISH_STOP = re.compile(
    r"(?<![0-9])[\u3040-\u30ff\u4e00-\u9fff」）)}]\.(?:\s*$| +(?=[\u3040-\u30ff\u4e00-\u9fff「]))"
)
# Known exceptions still to fix (file, snippet): none today.
PENDING: set[tuple[str, str]] = set()


def _texts(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    parts = {id(value) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for value in node.values}
    found = []
    for node in ast.walk(tree):
        if id(node) in parts:  # read as part of its f-string
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            found.append((node.lineno, str(text)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
    return [(line, text) for line, text in found if KANA.search(text)]


def test_japanese_messages_use_japanese_full_stops() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("devorg/"):
            continue
        for line, text in _texts(path):
            if any(relative == where and snippet in text for where, snippet in PENDING):
                continue
            for raw in text.splitlines():
                if ENGLISH_STOP.search(raw):
                    offenders.append(f"{relative}:{line}: {raw}")
    assert offenders == []


def test_the_check_finds_an_english_stop() -> None:
    assert ENGLISH_STOP.search("送信を中断しました(timeout). 次回の実行で続きを処理します。")
    assert ENGLISH_STOP.search("読み込めませんでした.")
    assert not ENGLISH_STOP.search("1. 静的リソース(設定 → カスタムコード)")
    assert not ENGLISH_STOP.search("タイムゾーン「{value}」は不明です(例: Asia/Tokyo)。")
