"""Moved to helpers/window.py (tests/helpers); this name stays for imports written before."""

from helpers.window import (  # noqa: F401
    Boxes,
    boxes_fixture,
    click_setting,
    close_window,
    list_names,
    open_window,
    reopen_context,
    window_fixture,
)
