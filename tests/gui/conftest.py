"""GUI tests: Python's cyclic garbage collector runs on the GUI thread only, as in the app (ui/gc_guard.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from biztel_desk.ui.gc_guard import GuiThreadCollector


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """A link worker's or a job's thread collecting a window's Qt objects crashes the process (a segfault now and
    then, more often on a loaded machine): the tests collect where the app does."""
    collector = GuiThreadCollector(qapp)
    try:
        yield
    finally:
        collector.stop()
        collector.deleteLater()
        gc.collect()
