"""ui/forms.Form: a declared form fills, reads, follows the admin's edits, hides rows and places problems."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from biztel_desk.domain.messages import Problem
from biztel_desk.ui.forms import Field, Form
from biztel_desk.ui.widgets import check_box, combo, line_edit


def _problem(field_name: str, text: str) -> Problem:
    return Problem(code="invalid_value", path=f"settings[0].{field_name}", params={"label": text})


def test_form_fills_reads_and_reports_only_the_admins_edits(qtbot):
    edits: list[int] = []
    form = Form((
        Field("name", "名前", line_edit(max_length=5)),
        Field("kind", "種類", combo([("A", "a"), ("B", "b")])),
        Field("on", "有効", check_box("使う"), required=False),
    ), on_edit=lambda: edits.append(1))
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(form.layout)

    form.fill({"name": "本社", "kind": "b", "on": True, "unknown": 1})
    assert form.values() == {"name": "本社", "kind": "b", "on": True}
    assert edits == []  # fill is not an edit

    form["name"].editor.setText("支社")
    form["kind"].editor.setCurrentIndex(0)
    assert form.values() == {"name": "支社", "kind": "a", "on": True}
    assert len(edits) == 2
    form.fill({"kind": "zzz"})  # a choice that is not offered selects the first
    assert form.values()["kind"] == "a"


def test_form_places_problems_under_visible_rows_only(qtbot):
    form = Form((Field("name", "名前", line_edit()), Field("host", "ホスト", line_edit())))
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(form.layout)

    form.set_visible("host", False)
    assert not form.is_visible("host") and form.blocks["host"].isHidden() and form.labels["host"].isHidden()
    others = form.show_problems([_problem("name", "A"), _problem("host", "B"), _problem("other", "C")], "ja",
                                text=lambda problem: problem.params["label"])
    assert form["name"].error.text() == "A" and not form["name"].error.isHidden()
    assert others == ["B", "C"]  # a hidden row's problem goes with the unplaced ones

    form.show_problem("name", "D")
    assert form["name"].error.text() == "A\nD"
    form.set_visible("host", True)
    assert form.is_visible("host")
    form.clear_problems()
    assert form["name"].error.text() == "" and form["name"].error.isHidden()
