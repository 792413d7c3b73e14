"""``hue-assist telegram poll|webhook``: run the Telegram bot without a public URL, or
register the gateway's webhook with Telegram.

``poll`` only feeds the inbox (store first, then move Telegram's offset past the update);
the gateway started by ``hue-assist up`` answers, exactly as for webhook updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import typer

from bot.base import settings as settings_mod
from bot.services.channels import config as channel_config
from bot.services.channels import telegram as tg
from bot.services.channels.base import BadEvent
from bot.storage import inbox
from bot.storage.store import Store

app = typer.Typer(help="Kênh Telegram (Telegram channel).", no_args_is_help=True)
log = logging.getLogger("hue_assist.cli.telegram")


async def _poll(timeout: int) -> None:
    settings = settings_mod.load()
    config = channel_config.load(gateway_port=settings.gateway_port)
    if not config.telegram_bot_token:
        raise typer.BadParameter("TELEGRAM_BOT_TOKEN is not set")
    bot = tg.make_bot(config)
    store = Store(settings.db_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    offset = 0
    async with bot:
        await bot.delete_webhook()  # getUpdates is refused while a webhook is set
        typer.echo("Polling Telegram; Ctrl-C to stop.", err=True)
        while not stop.is_set():
            poll = asyncio.create_task(
                bot.get_updates(offset=offset, timeout=timeout, allowed_updates=tg.ALLOWED)
            )
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({poll, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not poll.done():
                poll.cancel()
                break
            try:
                updates = poll.result()
            except Exception as error:  # noqa: BLE001 - network trouble: wait, poll again
                log.warning("poll failed: %s", type(error).__name__)
                await asyncio.sleep(2)
                continue
            for update in updates:
                try:
                    messages = tg.to_messages(update.to_dict(), bot)
                except BadEvent:
                    messages = []
                with store.transaction() as db:
                    inbox.accept(db, messages)
                for message in messages:
                    if "callback_query_id" in message.extra:
                        with contextlib.suppress(Exception):  # best effort
                            await bot.answer_callback_query(message.extra["callback_query_id"])
                offset = update.update_id + 1  # acknowledged only once stored
    store.close()


@app.command("poll")
def poll(timeout: int = typer.Option(30, help="Long-polling timeout in seconds.")) -> None:
    """Fetch updates with getUpdates and store them in the gateway's inbox."""
    asyncio.run(_poll(timeout))


@app.command("webhook")
def webhook(url: str = typer.Argument(..., help="Public https URL of /webhooks/telegram")) -> None:
    """Register the gateway's webhook (with TELEGRAM_WEBHOOK_SECRET) with Telegram."""
    config = channel_config.load()
    if not config.telegram_bot_token or not config.telegram_webhook_secret:
        raise typer.BadParameter("TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET must be set")

    async def register() -> None:
        async with tg.make_bot(config) as bot:
            await bot.set_webhook(
                url, secret_token=config.telegram_webhook_secret, allowed_updates=tg.ALLOWED
            )

    asyncio.run(register())
    typer.echo(f"Webhook set: {url}")
