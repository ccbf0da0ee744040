"""Python's cyclic garbage collector runs on the GUI thread only, driven by a timer.

The collector runs in whichever thread happens to allocate past its threshold. When that is a worker thread (the
link worker, a job's thread) and the garbage holds a Qt object of the window (a dialog, a model, a signal
relay), Qt deletes a GUI object from a foreign thread and the process dies with a segmentation fault — seen as
"Garbage-collecting" on top of a worker thread's stack. So automatic collection is switched off and this timer
runs the same generational collections on the GUI thread, where deleting Qt objects is safe. Reference counting
still frees everything that is not in a cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """What the automatic collector would have done since the last tick, now, on the GUI thread."""
        for generation, (count, threshold) in enumerate(zip(gc.get_count(), self.threshold, strict=True)):
            if count <= threshold:  # an older generation is collected only after the younger ones
                break
            gc.collect(generation)

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


_collector: GuiThreadCollector | None = None


def install(app: QObject) -> GuiThreadCollector:
    """Once per application (the window's composition root; the GUI tests' fixture)."""
    global _collector
    if _collector is None or _collector.parent() is not app:
        _collector = GuiThreadCollector(app)
    return _collector
