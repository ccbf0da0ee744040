"""設定確認 for the window and ``biztel-desk verify``: every check of one link setting against its org.

The checks live in ``verify``; the window and the CLI reach them here (services are their only door), under their
original names.
"""

from __future__ import annotations

from biztel_desk.verify.checks import UnknownSetting as UnknownSetting
from biztel_desk.verify.checks import verify_setting as verify_setting
from biztel_desk.verify.report import VerificationReport as VerificationReport
