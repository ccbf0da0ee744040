"""Start BIZTEL Desk: ``python main.py`` opens the admin window (see README for the options)."""

from biztel_desk.app import main

raise SystemExit(main())
