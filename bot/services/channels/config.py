"""The channels' settings, read from the environment (names from the contract).

Zalo template messages (ZNS) are off unless a template id is configured: each template is
registered with Zalo by the city's OA (``ZALO_ZNS_TEMPLATE_<NAME>``, e.g.
``ZALO_ZNS_TEMPLATE_REPORT_STATUS``); docs/channels.md lists the values each one gets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelConfig:
    zalo_app_id: str
    zalo_app_secret: str
    zalo_oa_secret_key: str
    zalo_access_token: str
    zalo_refresh_token: str
    zalo_api_base: str
    zalo_oauth_base: str
    zalo_zns_api_base: str  # Zalo's template (ZNS) API
    zalo_templates: dict[str, str]  # template name (bot.domain.notifications) → Zalo's id
    telegram_bot_token: str
    telegram_api_base: str
    telegram_webhook_secret: str
    public_url: str  # where citizens' photos are served from (``/media/<name>``)
    worker_concurrency: int
    sender_concurrency: int

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.zalo_oa_secret_key)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)


def load(env: dict[str, str] | None = None, gateway_port: int = 8000) -> ChannelConfig:
    env = dict(os.environ if env is None else env)
    return ChannelConfig(
        zalo_app_id=env.get("ZALO_APP_ID", ""),
        zalo_app_secret=env.get("ZALO_APP_SECRET", ""),
        zalo_oa_secret_key=env.get("ZALO_OA_SECRET_KEY", ""),
        zalo_access_token=env.get("ZALO_ACCESS_TOKEN", ""),
        zalo_refresh_token=env.get("ZALO_REFRESH_TOKEN", ""),
        zalo_api_base=(env.get("ZALO_API_BASE") or "https://openapi.zalo.me").rstrip("/"),
        zalo_oauth_base=(env.get("ZALO_OAUTH_BASE") or "https://oauth.zaloapp.com").rstrip("/"),
        zalo_zns_api_base=(
            env.get("ZALO_ZNS_API_BASE") or "https://business.openapi.zalo.me"
        ).rstrip("/"),
        zalo_templates=templates(env),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_base=(env.get("TELEGRAM_API_BASE") or "https://api.telegram.org").rstrip("/"),
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
        public_url=(env.get("GATEWAY_PUBLIC_URL") or f"http://127.0.0.1:{gateway_port}").rstrip(
            "/"
        ),
        worker_concurrency=int(env.get("GATEWAY_WORKERS", "32")),
        sender_concurrency=int(env.get("GATEWAY_SENDERS", "32")),
    )


TEMPLATE_PREFIX = "ZALO_ZNS_TEMPLATE_"


def templates(env: dict[str, str]) -> dict[str, str]:
    """The configured Zalo template ids by name: ``ZALO_ZNS_TEMPLATE_REPORT_STATUS=123``
    gives ``{"report_status": "123"}``; an empty value leaves the template off."""
    return {
        key.removeprefix(TEMPLATE_PREFIX).lower(): value.strip()
        for key, value in env.items()
        if key.startswith(TEMPLATE_PREFIX) and value.strip()
    }
