"""The screenshot tools' one switch for #13's set (tools/shots.py): --size WxH draws on a screen of that size, --scale N
at that device pixel ratio, each into its own folder under docs/screenshots/."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import shots  # noqa: E402


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_the_options_choose_the_folder_under_docs_screenshots(tmp_path: Path) -> None:
    assert shots.Display().place(shots.SCREENSHOTS / "demo.png") == shots.SCREENSHOTS / "demo.png"
    assert shots.Display((1366, 768)).place(shots.SCREENSHOTS / "demo.png") == shots.SCREENSHOTS / "1366x768" / "demo.png"
    assert shots.Display(scale=2).place(shots.SCREENSHOTS) == shots.SCREENSHOTS / "2x"
    assert shots.Display((1366, 768), 2).folder == "1366x768@2x"
    assert shots.Display((1366, 768)).place(tmp_path / "x.png") == tmp_path / "x.png"  # an --out elsewhere: as given
    assert shots.size_argument("1366X768") == (1366, 768)
    with pytest.raises(Exception, match="WIDTHxHEIGHT"):
        shots.size_argument("big")


def test_screenshots_at_1366x768_and_2x(tmp_path: Path) -> None:
    """The main window fills the 1366x768 screen; at scale 2 every file has twice the pixels of the same layout."""
    def run(*options: str) -> Path:
        out = tmp_path / "-".join(options or ("plain",))
        done = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshots.py"), "--only", "basic,close_dialog",
                               "--out", str(out), *options], capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return out

    plain, screen, double = run(), run("--size", "1366x768"), run("--size", "1366x768", "--scale", "2")
    assert png_size(plain / "basic.png") == (1100, 720)  # without the options: as before
    assert png_size(screen / "basic.png") == (1366, 768)
    assert png_size(double / "basic.png") == (2732, 1536)
    width, height = png_size(screen / "close_dialog.png")
    assert png_size(double / "close_dialog.png") == (2 * width, 2 * height)
    assert png_size(plain / "close_dialog.png") == (width, height)  # a dialog keeps its own size


def test_every_screenshot_tool_takes_the_options_of_tools_shots() -> None:
    """No tool parses its own --scale or sets QT_SCALE_FACTOR: each goes through shots.start (plain file names)."""
    tools = sorted({*(ROOT / "tools").glob("*screenshot*.py")})
    assert len(tools) >= 9
    for tool in tools:
        text = tool.read_text(encoding="utf-8")
        assert "shots.start(" in text, tool.name
        assert "QT_SCALE_FACTOR" not in text and '"--scale"' not in text, tool.name


def test_history_screenshots_fill_the_1366x768_screen(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "history_screenshot.py"), "--out", str(tmp_path),
                           "--size", "1366x768"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.png", "history_attention.png", "history_menu.png"]
    assert {png_size(p) for p in tmp_path.iterdir()} == {(1366, 768)}
