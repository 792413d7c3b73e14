"""Settings read from the environment (see the README's configuration table)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from bot.base.keyfile import read_or_create_token


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
    rasa_urls: tuple[str, ...] = ()
    disaster_line: str | None = None  # the city's own disaster line, when one is configured
    rasa_token_env: str | None = None  # RASA_TOKEN: a remote Rasa's token
    action_secret_env: str | None = None  # ACTION_SERVER_SECRET

    @property
    def rasa_token(self) -> str:
        """The token of Rasa's HTTP API (``--auth-token``): ``RASA_TOKEN``, else this
        installation's own, generated once in ``HUE_ASSIST_HOME/rasa.token``."""
        return self.rasa_token_env or read_or_create_token(self.home / "rasa.token")

    @property
    def action_secret(self) -> str:
        """What Rasa must send the action server (header ``X-Action-Secret``):
        ``ACTION_SERVER_SECRET``, else ``HUE_ASSIST_HOME/action-server.secret``."""
        return self.action_secret_env or read_or_create_token(self.home / "action-server.secret")

    @property
    def rasa_servers(self) -> tuple[str, ...]:
        """Every Rasa server, in order (``rasa_urls``, or ``rasa_url`` alone when unset)."""
        return self.rasa_urls or (self.rasa_url,)

    def rasa_for(self, sender_id: str) -> str:
        """The Rasa server that holds this conversation (see ``pick_rasa``)."""
        return pick_rasa(self.rasa_servers, sender_id)

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


def pick_rasa(urls: tuple[str, ...] | list[str], sender_id: str) -> str:
    """One of several Rasa servers, always the same for one sender id.

    Each Rasa process keeps its own conversation locks and its recent trackers in memory,
    so all of a citizen's turns must reach the same one. A stable hash (not Python's
    ``hash``, which changes per process) picks it.
    """
    if len(urls) == 1:
        return urls[0]
    digest = hashlib.blake2b(sender_id.encode("utf-8"), digest_size=8).digest()
    return urls[int.from_bytes(digest, "big") % len(urls)]


def rasa_urls(env: dict[str, str], rasa_port: int) -> tuple[str, ...]:
    """``RASA_URL`` (comma-separated for several servers), else ``RASA_PROCESSES`` local ones."""
    explicit = [url.strip().rstrip("/") for url in env.get("RASA_URL", "").split(",")]
    if any(explicit):
        return tuple(url for url in explicit if url)
    processes = max(1, int(env.get("RASA_PROCESSES") or "1"))
    return tuple(f"http://127.0.0.1:{rasa_port + i}" for i in range(processes))


def load(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("HUE_ASSIST_HOME") or project_root() / "var")
    rasa_port = int(env.get("RASA_PORT", "5005"))
    action_port = int(env.get("ACTION_PORT", "5055"))
    urls = rasa_urls(env, rasa_port)
    return Settings(
        home=home.resolve(),
        rasa_url=urls[0],
        rasa_urls=urls,
        rasa_url_explicit=bool(env.get("RASA_URL", "").strip(", ")),
        action_server_url=env.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{action_port}/webhook",
        rasa_port=rasa_port,
        action_port=action_port,
        gateway_port=int(env.get("GATEWAY_PORT", "8000")),
        disaster_line=(env.get("EMERGENCY_DISASTER_LINE") or "").strip() or None,
        rasa_token_env=(env.get("RASA_TOKEN") or "").strip() or None,
        action_secret_env=(env.get("ACTION_SERVER_SECRET") or "").strip() or None,
        open311_api_keys=tuple(
            key.strip() for key in env.get("OPEN311_API_KEYS", "").split(",") if key.strip()
        ),
    )
