"""The tests' shared helpers: one package, imported as ``helpers.<module>`` (tests/ is on sys.path via conftest.py).

- ``helpers.dbswitch``: the database switch (SQLite files or ``pytest --db postgresql``), ``open_database``.
- ``helpers.postgres_server``: a fresh database on the PostgreSQL server of ``BIZTEL_TEST_POSTGRES_URL``.
- ``helpers.window``: main-window tests: the ``boxes`` and ``window`` fixtures, opening/closing, clicking settings.
- ``helpers.cli``: end-to-end tests through the real command line in a subprocess: the environment (file keyring),
  running ``biztel-desk``, a settings TOML for a dev org, ``settings import`` + ``account set-secret``, ``sync --once``.

Waiting: wait on the thing itself (``qtbot.waitSignal``/``waitUntil`` in GUI tests, a polling ``wait_for`` with a
deadline elsewhere), never on a fixed ``time.sleep`` — except to let time pass for the code under test (a lease TTL,
a held Salesforce write). Wall-clock bounds belong in tests marked ``perf`` (run apart: ``pytest -m perf``).
"""
