"""One window per data dir (ui/single_instance.py): a second start asks the first to show itself."""

from __future__ import annotations

from pathlib import Path

from biztel_desk.ui.single_instance import SingleInstance


def test_a_second_claim_on_the_same_data_dir_activates_the_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = SingleInstance(tmp_path / "a")
    assert first.claim()
    try:
        with qtbot.waitSignal(first.activate_requested, timeout=5000):
            assert SingleInstance(tmp_path / "a").claim() is False
        other = SingleInstance(tmp_path / "b")  # another data dir runs on its own
        assert other.claim()
        other.release()
    finally:
        first.release()
    again = SingleInstance(tmp_path / "a")  # released: the next start is the first again
    assert again.claim()
    again.release()
