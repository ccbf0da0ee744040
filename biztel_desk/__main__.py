"""``python -m biztel_desk``: the same as the ``biztel-desk`` command."""

from biztel_desk.app import main

raise SystemExit(main())
