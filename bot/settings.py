"""Settings read from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_root() -> Path:
    """The checkout holding domain.yml (the package is installed editable from it)."""
    here = Path(__file__).resolve().parents[1]
    if (here / "domain.yml").exists():
        return here
    return Path.cwd()


@dataclass(frozen=True)
class Settings:
    home: Path
    rasa_url: str
    rasa_url_explicit: bool
    action_server_url: str
    rasa_port: int
    action_port: int
    gateway_port: int
    hotline: str = "19001075"
    open311_api_keys: tuple[str, ...] = ()

    @property
    def db_path(self) -> Path:
        return self.home / "hue-assist.db"

    @property
    def models_dir(self) -> Path:
        return project_root() / "models"

    @property
    def kb_dir(self) -> Path:
        return Path(
            os.environ.get("HUE_ASSIST_KB_DIR", project_root() / "knowledge_base" / "services")
        )

    @property
    def rasa_bin(self) -> Path:
        return Path(os.environ.get("RASA_BIN", project_root() / ".venv-rasa" / "bin" / "rasa"))


def load(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("HUE_ASSIST_HOME") or project_root() / "var")
    rasa_port = int(env.get("RASA_PORT", "5005"))
    action_port = int(env.get("ACTION_PORT", "5055"))
    return Settings(
        home=home.resolve(),
        rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        rasa_url_explicit=bool(env.get("RASA_URL")),
        action_server_url=env.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{action_port}/webhook",
        rasa_port=rasa_port,
        action_port=action_port,
        gateway_port=int(env.get("GATEWAY_PORT", "8000")),
        open311_api_keys=tuple(
            key.strip() for key in env.get("OPEN311_API_KEYS", "").split(",") if key.strip()
        ),
    )
