"""The window's stylesheet: only targeted rules (object names, properties) so native styling stays intact."""

from __future__ import annotations

STYLESHEET = """
QLabel#panelTitle { font-weight: bold; padding: 2px 0; }
QListWidget#settingList::item { padding: 4px 6px; }

QPushButton[segment] {
    padding: 5px 18px;
    min-height: 20px;
    border: 1px solid #aeb4bb;
    background: #ffffff;
    color: #202124;
}
QPushButton[segment]:hover { background: #f1f3f4; }
QPushButton[segment="first"] { border-top-left-radius: 4px; border-bottom-left-radius: 4px; }
QPushButton[segment="middle"] { border-left: none; }
QPushButton[segment="last"] { border-left: none; border-top-right-radius: 4px; border-bottom-right-radius: 4px; }
QPushButton#status_enabled:checked { background: #2e7d32; border-color: #2e7d32; color: #ffffff; }
QPushButton#status_paused:checked { background: #e08600; border-color: #e08600; color: #ffffff; }
QPushButton#status_disabled:checked { background: #5f6f7a; border-color: #5f6f7a; color: #ffffff; }
QPushButton[segment]:disabled { background: #f5f6f7; color: #a0a5aa; border-color: #d0d4d8; }
QPushButton[segment]:checked:disabled { background: #e3e6e9; color: #7d858c; }

QPushButton#primaryButton:enabled {
    background: #1a73e8;
    border: 1px solid #1765cc;
    border-radius: 4px;
    color: #ffffff;
    padding: 5px 18px;
}
QPushButton#primaryButton:enabled:hover { background: #1765cc; }
"""
