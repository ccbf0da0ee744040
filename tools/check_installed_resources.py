"""Check that an INSTALLED biztel-desk (a wheel, not the checkout) finds its icons and translations.

    python tools/check_installed_resources.py CHECKOUT        (with the installed environment's python, from
                                                              a folder outside CHECKOUT; .ci/run does this)

Fails (exit 1) when biztel_desk is imported from CHECKOUT, when ``resources_path()`` is not the installed
package's ``biztel_desk/resources``, when the window icon has no sizes, or when the English translation does not
load from the installed ``.qm``. Needs QT_QPA_PLATFORM=offscreen without a display.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(checkout: Path) -> int:
    import biztel_desk
    from biztel_desk import resources_path

    package = Path(biztel_desk.__file__).resolve().parent
    problems = []
    if package.is_relative_to(checkout):
        problems.append(f"biztel_desk is imported from the checkout ({package}), not from the install")
    if resources_path() != package / "resources":
        problems.append(f"resources_path() is {resources_path()}, not the installed {package / 'resources'}")
    if resources_path().resolve().is_relative_to(checkout):
        problems.append(f"resources come from the checkout: {resources_path()}")

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from biztel_desk.app import ICONS, window_icon
    from biztel_desk.ui.i18n import TRANSLATIONS, install_translators

    app = QApplication([])
    sizes = window_icon().availableSizes()
    if len(sizes) < 5:
        problems.append(f"the window icon has {len(sizes)} sizes from {ICONS} (expected 9)")
    translators = install_translators(app, "en")
    english = QCoreApplication.translate("AccountDialog", "新規")
    if english != "New":
        problems.append(f"the English translation does not load from {TRANSLATIONS}: 新規 → {english!r}")
    print(f"biztel_desk at {package}; resources at {resources_path()}; icon sizes "
          f"{sorted(s.width() for s in sizes)}; {len(translators)} translators; 新規 → {english}")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve()))
