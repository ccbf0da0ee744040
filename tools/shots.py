"""What every screenshot tool shares: the screen it draws on, the application with a Japanese font, where files go.

#13 asks for "screenshots of every changed screen, in Japanese, at 1366x768 and at 2x scale, under
docs/screenshots/". Every ``tools/*screenshot*.py`` takes the same two options for that:

- ``--size 1366x768``: an offscreen screen of that size (Qt's offscreen platform, ``configfile``); a tool's main
  window fills it, a dialog keeps its own size but never exceeds it. Files go to ``docs/screenshots/1366x768/``.
- ``--scale 2``: device pixel ratio 2 (``QT_SCALE_FACTOR``): the same layout in logical pixels, twice the pixels in
  the file. Files go to ``docs/screenshots/2x/`` (both options: ``docs/screenshots/1366x768@2x/``).

Without them nothing changes: the offscreen platform's own 800x800 screen at ratio 1, files where they always went.
The whole set, e.g.::

    for tool in tools/screenshots.py tools/*_screenshot*.py; do
        python "$tool" --size 1366x768 && python "$tool" --scale 2
    done

A tool calls ``display(args)`` before anything creates the QApplication (the screen is chosen at its creation),
then ``application(display)``; ``display.place(path)`` moves a default path under docs/screenshots/ into the
folder of the options.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
OFFSCREEN_SCREEN = (800, 800)  # the offscreen platform's screen when no configfile names one
FONT = "Noto Sans CJK JP"  # the offscreen platform has no system font settings (Debian: fonts-noto-cjk)


def size_argument(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 1366x768") from None
    if width < 320 or height < 240:
        raise argparse.ArgumentTypeError(f"{text!r}: at least 320x240")
    return width, height


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=size_argument, metavar="WxH",
                        help="draw on a screen of this size (e.g. 1366x768); files go to docs/screenshots/WxH/")
    parser.add_argument("--scale", type=float, default=1.0, metavar="N",
                        help="device pixel ratio (e.g. 2); files go to docs/screenshots/Nx/")


@dataclass(frozen=True)
class Display:
    size: tuple[int, int] | None = None
    scale: float = 1.0

    @property
    def folder(self) -> str:
        """The sub-folder of docs/screenshots/ for these options ('' without any)."""
        parts = [f"{self.size[0]}x{self.size[1]}"] if self.size else []
        if self.scale != 1:
            parts.append(f"{self.scale:g}x")
        return "@".join(parts)

    def place(self, path: Path) -> Path:
        """``path`` (a file or folder under docs/screenshots/) in the folder of the options; another path as is."""
        try:
            relative = path.resolve().relative_to(SCREENSHOTS)
        except ValueError:
            return path
        return SCREENSHOTS / self.folder / relative if self.folder else path

    def window_size(self, default: tuple[int, int]) -> tuple[int, int]:
        """A main window's size: the whole screen with --size, else the tool's own."""
        return self.size or default

    def fit(self, widget: QWidget) -> None:
        """A dialog never larger than the screen (as a window manager would keep it)."""
        if self.size is not None and (widget.width() > self.size[0] or widget.height() > self.size[1]):
            widget.resize(min(widget.width(), self.size[0]), min(widget.height(), self.size[1]))


def display(args: argparse.Namespace) -> Display:
    """The options' screen, set up for the QApplication about to be created (environment variables)."""
    chosen = Display(getattr(args, "size", None), float(getattr(args, "scale", 1.0) or 1.0))
    if chosen.size is None and chosen.scale == 1:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return chosen
    width, height = chosen.size or OFFSCREEN_SCREEN
    # The configfile's geometry is in device pixels: the logical screen stays WxH at any scale.
    screen = {"name": "shots", "x": 0, "y": 0, "width": round(width * chosen.scale),
              "height": round(height * chosen.scale), "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    handle, name = tempfile.mkstemp(prefix="biztel-screen-", suffix=".json")
    with os.fdopen(handle, "w") as file:
        json.dump({"screens": [screen]}, file)
    atexit.register(os.unlink, name)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={name}"
    os.environ["QT_SCALE_FACTOR"] = f"{chosen.scale:g}"
    if QApplication.instance() is not None:
        raise RuntimeError("shots.display() must run before the QApplication is created")
    return chosen


def application(_display: Display) -> QApplication:
    """The tool's QApplication (on the display's screen) with the Japanese-capable font."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setFont(QFont(FONT, 10))
    return app


def start(parser: argparse.ArgumentParser, argv: list[str] | None, *,
          out_is_folder: bool = False) -> tuple[argparse.Namespace, Display, QApplication]:
    """A tool's start: its options and --size/--scale parsed, the screen set up, the application created;
    ``args.out`` (a file, or with ``out_is_folder`` a folder, created) placed for the options."""
    add_arguments(parser)
    args = parser.parse_args(argv)
    chosen = display(args)
    if getattr(args, "out", None) is not None:
        args.out = out_folder(args.out, chosen) if out_is_folder else chosen.place(args.out)
    return args, chosen, application(chosen)


def out_folder(out: Path, chosen: Display) -> Path:
    """``out`` placed for the options, created."""
    folder = chosen.place(out)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(seconds: float = 0) -> None:
    """Run the Qt event loop for ``seconds`` (at least one pass): timers, layouts and jobs get their turn."""
    deadline = time.monotonic() + seconds
    while True:
        QCoreApplication.processEvents()
        if time.monotonic() >= deadline:
            return
        time.sleep(0.02)


def wait_until(done: Callable[[], bool], seconds: float = 20) -> None:
    """Run the Qt event loop until ``done()`` holds or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        settle(0.05)


def close_window(window: Any, context: Any) -> None:
    """Close a tool's MainWindow without the unsaved-edits question, let Qt delete it, then close its AppContext."""
    window.basic_tab.revert()
    window.close()
    window.deleteLater()
    settle()
    context.close()
