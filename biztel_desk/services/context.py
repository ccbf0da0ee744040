"""What the window and the commands are given by the composition root: database, services, secrets, language."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from biztel_desk.secrets import SecretStore
from biztel_desk.services.config import ConfigService
from biztel_desk.store.db import Database


@dataclass
class AppContext:
    database: Database
    secrets: SecretStore
    lang: str = "ja"  # "ja" | "en": the language of every message
    data_dir: Path | None = None
    demo: bool = False
    config: ConfigService = field(init=False)

    def __post_init__(self) -> None:
        self.config = ConfigService(self.database, self.secrets)

    def close(self) -> None:
        self.database.close()
