"""``python -m biztel_desk.devorg``: the dev org without the app's CLI."""

import sys

from biztel_desk.devorg.cli import main

sys.exit(main())
