"""``emit()``: Signal.emit without PySide6 6.12's lost reference to the bool it returns (crashes at exit).

PySide6 6.12.0's ``SignalInstance.emit`` returns ``True``/``False`` without a new reference, so every emit
from Python takes one reference away from the bool; a few thousand emits later the interpreter aborts with
"bool_dealloc: deallocating True or False". Whether this PySide has the bug is measured once at import, so a
fixed release needs no change here.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    fired = Signal()


def _measure() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # give back what the probe itself took
    return lost >= 8


LOSES_REFERENCE = _measure()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, giving back the reference a buggy PySide takes from the returned bool."""
    result = signal.emit(*args)
    if LOSES_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
