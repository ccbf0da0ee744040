"""Moved to helpers/window.py (tests/helpers); this name stays for imports written before."""

from helpers.window import *  # noqa: F403 (Boxes, boxes_fixture, window_fixture, open_window, close_window, ...)
