"""Channels benchmark: simulated Zalo users through the real gateway and the real Rasa.

Each user sends signed webhook events one turn at a time (the next turn once a reply to the
previous one has arrived at the Zalo stand-in), like a citizen chatting. Measured: webhook
acknowledgement latency, turns per second, webhook → delivered reply latency, and whether
every accepted message was answered exactly once (in the database, in Rasa's trackers and
at the stand-in). ``--kill`` kills the gateway with SIGKILL halfway and restarts it; users
re-send unacknowledged events with the same msg_id, as Zalo does.

``--think S``: a user reads and types for S seconds on average (uniform 0.5–1.5 × S) before
the next message, as people do. With ``--think 0`` every user sends the next message the
moment a reply arrives: that measures capacity, and latency is then only queueing (by
Little's law 200 users with no pause and p95 ≤ 300 ms would need ≥ 667 turns/s). 200 users
pausing 3 s offer ~60 turns/s, above the 50 the gateway must sustain.

    .venv/bin/python bench/channels.py --users 200 --turns 10 --think 3 --rasa-processes 2
    .venv/bin/python bench/channels.py --users 200 --turns 10 --think 0 --rasa-direct
    .venv/bin/python bench/channels.py --users 200 --turns 10 --think 3 --kill
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile  # noqa: E402
from bot.base import settings as settings_mod  # noqa: E402
from bot.base.settings import pick_rasa  # noqa: E402
from bot.services.processes import Supervisor, action_service, free_port, rasa_services  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.standins import zalo as zalo_standin  # noqa: E402
from tests.standins.gateway import Gateway  # noqa: E402
from tests.standins.zalo import ZaloStandin, event, signed  # noqa: E402

TURNS = [
    "xin chao",
    "toi muon phan anh",
    "den duong bi hong",
    "so 12 Le Loi phuong Thuan Hoa",
    "den tat 3 dem roi, rat toi va nguy hiem",
    "/deny",
    "/deny",
    "/affirm",
    "cam on",
    "tam biet",
]


def stats(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
    }


class Load:
    def __init__(
        self,
        gateway: Gateway,
        standin: ZaloStandin,
        users: int,
        turns: int,
        ramp: float,
        think: float = 0.0,
    ) -> None:
        self.ramp = ramp
        self.think = think
        self.random = random.Random(42)
        self.replied_at: list[float] = []  # when each turn's reply arrived (time.time())
        self.started_at: list[float] = []  # when each user sent its first message
        self.finished_at: list[float] = []  # when each user got its last reply
        self.gateway = gateway
        self.standin = standin
        self.users = [f"9{i:05d}{os.getpid()}" for i in range(users)]
        self.turns = turns
        self.acks: list[float] = []
        self.sent_at: dict[str, float] = {}  # msg_id → first send time
        self.accepted: set[str] = set()
        self.retries = 0
        self.accepted_count = 0
        self.arrived: dict[str, asyncio.Event] = {}
        self.baseline: list[float] = []  # a no-op route (404) timed alongside, same machine
        self.done = False

    def listen(self) -> None:
        """Wake a user's coroutine when the stand-in (another thread) receives a reply."""
        loop = asyncio.get_running_loop()
        self.arrived = {uid: asyncio.Event() for uid in self.users}

        def on_send(uid: str) -> None:
            if uid in self.arrived:
                loop.call_soon_threadsafe(self.arrived[uid].set)

        self.standin.on_send = on_send

    async def post(self, client: httpx.AsyncClient, evt: dict[str, Any]) -> None:
        """Deliver one event until acknowledged (the same msg_id each time, as Zalo does)."""
        body, headers = signed(evt)
        msg_id = evt["message"]["msg_id"]
        self.sent_at.setdefault(msg_id, time.time())
        while True:
            start = time.perf_counter()
            try:
                response = await client.post(
                    f"{self.gateway.url}/webhooks/zalo", content=body, headers=headers
                )
                if response.status_code == 200:
                    self.acks.append(time.perf_counter() - start)
                    self.accepted.add(msg_id)
                    self.accepted_count += 1
                    return
            except httpx.TransportError:
                pass
            self.retries += 1
            await asyncio.sleep(0.5)

    async def user(self, client: httpx.AsyncClient, uid: str, delay: float) -> None:
        await asyncio.sleep(delay)  # citizens do not all press "send" in the same millisecond
        self.started_at.append(time.time())
        for turn in range(self.turns):
            if turn and self.think > 0:
                await asyncio.sleep(self.think * self.random.uniform(0.5, 1.5))
            before = self.standin.counts.get(uid, 0)
            arrived = self.arrived[uid]
            arrived.clear()
            await self.post(client, event(uid, text=TURNS[turn % len(TURNS)]))
            deadline = time.monotonic() + 300
            while self.standin.counts.get(uid, 0) <= before and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), timeout=1.0)
                arrived.clear()
            self.replied_at.append(time.time())
        self.finished_at.append(time.time())

    def steady(self) -> dict[str, Any]:
        """Turns per second while every user was chatting (after the last one started,
        before the first one finished): the rate sustained, without ramp-up and tail."""
        if not self.started_at or not self.finished_at:
            return {}
        start, end = max(self.started_at), min(self.finished_at)
        if end - start < 1.0:
            return {"window_s": round(max(0.0, end - start), 1)}
        count = sum(1 for t in self.replied_at if start <= t < end)
        return {"window_s": round(end - start, 1), "turns_per_s": round(count / (end - start), 1)}

    async def probe(self, client: httpx.AsyncClient) -> None:
        """How long the gateway takes to answer a route that does nothing (404)."""
        while not self.done:
            start = time.perf_counter()
            with contextlib.suppress(httpx.TransportError):
                await client.get(f"{self.gateway.url}/media/none")
                self.baseline.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    async def run(self) -> float:
        self.listen()
        limits = httpx.Limits(max_connections=len(self.users) + 10)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            start = time.perf_counter()
            probe = asyncio.create_task(self.probe(client))
            ramp = self.ramp / max(1, len(self.users))
            await asyncio.gather(
                *(self.user(client, u, i * ramp) for i, u in enumerate(self.users))
            )
            elapsed = time.perf_counter() - start
            self.done = True
            await probe
            return elapsed


async def killer(load: Load, gateway: Gateway, at: int, log: dict[str, Any]) -> None:
    while load.accepted_count < at:
        await asyncio.sleep(0.01)
    gateway.kill()
    log["killed_after_accepted"] = load.accepted_count
    log["killed_at"] = time.time()
    await asyncio.sleep(1.0)
    await asyncio.to_thread(gateway.start, 60)
    log["restarted_after_s"] = round(time.time() - log["killed_at"], 2)


async def rasa_direct(rasa_urls: tuple[str, ...], users: int, turns: int) -> dict[str, Any]:
    """The same conversations straight to Rasa's REST channel, with no pause: what Rasa
    alone sustains on this machine, the ceiling for anything in front of it."""
    latencies: list[float] = []

    async def user(client: httpx.AsyncClient, index: int) -> None:
        sender = f"direct:{os.getpid()}-{index}"
        for turn in range(turns):
            start = time.perf_counter()
            response = await client.post(
                f"{pick_rasa(rasa_urls, sender)}/webhooks/rest/webhook",
                json={"sender": sender, "message": TURNS[turn % len(TURNS)]},
            )
            response.raise_for_status()
            latencies.append(time.perf_counter() - start)

    limits = httpx.Limits(max_connections=users + 10)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(user(client, i) for i in range(users)))
        elapsed = time.perf_counter() - start
    return {"turns_per_s": round(len(latencies) / elapsed, 1), "latency": stats(latencies)}


def wait_drained(db_path: Path, timeout: float = 120) -> None:
    store = Store(db_path)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = store.db.execute(
                "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'pending')"
                " + (SELECT COUNT(*) FROM outbox WHERE state = 'pending')"
            ).fetchone()[0]
            if pending == 0:
                return
            time.sleep(0.2)
    finally:
        store.close()


def verify(
    load: Load, db_path: Path, rasa_urls: tuple[str, ...], rasa_token: str
) -> dict[str, Any]:
    """Exactly once, three ways: inbox/outbox states, Rasa's trackers, the stand-in."""
    store = Store(db_path)
    try:
        inbox = {
            r["channel_msg_id"]: r
            for r in store.db.query("SELECT id, channel_msg_id, sender_id, state FROM inbox")
        }
        outbox = list(
            store.db.query("SELECT id, inbox_id, sender_id, state, payload FROM outbox ORDER BY id")
        )
    finally:
        store.close()
    missing = [m for m in load.accepted if m not in inbox]
    not_done = [m for m in load.accepted if m in inbox and inbox[m]["state"] != "done"]
    by_user: dict[str, list[dict]] = collections.defaultdict(list)
    for row in outbox:
        by_user[row["sender_id"]].append(row)
    lost = duplicated = rasa_twice = rasa_missing = 0
    first_reply: list[float] = []
    last_reply: list[float] = []
    by_inbox_id = {r["id"]: m for m, r in inbox.items()}
    with httpx.Client(timeout=60) as client:
        for uid in load.users:
            sender_id = f"zalo:{uid}"
            expected = by_user.get(sender_id, [])
            delivered = load.standin.to(uid)
            texts = [json.loads(r["payload"]).get("text", "") for r in expected]
            got = [d.message.get("text", "") for d in delivered]
            lost += sum(1 for r in expected if r["state"] != "sent")
            duplicated += max(0, len(got) - len(texts))
            lost += max(0, len(texts) - len(got))
            times: dict[int, list[float]] = collections.defaultdict(list)
            if got == texts:
                for row, sent in zip(expected, delivered, strict=True):
                    times[row["inbox_id"]].append(sent.at)
            for inbox_id, moments in times.items():
                sent_at = load.sent_at.get(by_inbox_id.get(inbox_id, ""), None)
                if sent_at is not None:
                    first_reply.append(min(moments) - sent_at)
                    last_reply.append(max(moments) - sent_at)
            rasa_url = pick_rasa(rasa_urls, sender_id)
            tracker = client.get(
                f"{rasa_url}/conversations/{sender_id}/tracker", params={"token": rasa_token}
            ).json()
            ids = collections.Counter(
                (e.get("metadata") or {}).get("inbox_id")
                for e in tracker.get("events", [])
                if e.get("event") == "user"
            )
            mine = [r["id"] for m, r in inbox.items() if r["sender_id"] == sender_id]
            rasa_twice += sum(1 for i in mine if ids.get(i, 0) > 1)
            rasa_missing += sum(1 for i in mine if ids.get(i, 0) == 0)
    return {
        "accepted": len(load.accepted),
        "missing_from_inbox": len(missing),
        "not_answered": len(not_done),
        "replies_lost": lost,
        "replies_duplicated": duplicated,
        "rasa_processed_twice": rasa_twice,
        "rasa_never_saw": rasa_missing,
        "webhook_to_first_reply": stats(first_reply),
        "webhook_to_last_reply": stats(last_reply),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        env = {
            "HUE_ASSIST_HOME": str(home),
            "RASA_PORT": str(free_port()),
            "RASA_PROCESSES": str(args.rasa_processes),
            "ACTION_PORT": str(free_port()),
        }
        settings = settings_mod.load({**os.environ, **env})
        supervisor = Supervisor(home / "logs")
        standin = ZaloStandin().start()
        gateway = Gateway(
            {
                **env,
                "RASA_URL": ",".join(settings.rasa_urls),
                "ACTION_SERVER_URL": settings.action_server_url,
                **zalo_standin.gateway_env(standin),
                "GATEWAY_WORKERS": str(args.workers),
            },
            home / "logs" / "gateway.log",
        )
        try:
            services = [action_service(settings), *rasa_services(settings)]
            for service in services:
                supervisor.start(service)
            for service in services:
                supervisor.wait_ready(service, 300)
            gateway.start()
            ramp = args.ramp if args.ramp is not None else max(2.0, args.think)
            load = Load(gateway, standin, args.users, args.turns, ramp, args.think)
            kill_log: dict[str, Any] = {}

            async def main() -> float:
                tasks = [load.run()]
                if args.kill:
                    at = args.users * args.turns // 2
                    tasks.append(killer(load, gateway, at, kill_log))
                results = await asyncio.gather(*tasks)
                return results[0]

            elapsed = asyncio.run(main())
            wait_drained(settings.db_path)
            direct = (
                asyncio.run(rasa_direct(settings.rasa_urls, args.users, args.turns))
                if args.rasa_direct
                else None
            )
            result = {
                "users": args.users,
                "turns_per_user": args.turns,
                "kill": args.kill,
                "rasa_processes": args.rasa_processes,
                "think_s": args.think,
                "ramp_s": ramp,
                "elapsed_s": round(elapsed, 1),
                "turns_per_s": round(len(load.accepted) / elapsed, 1),
                "steady": load.steady(),
                "webhook_ack": stats(load.acks),
                "noop_route_baseline": stats(load.baseline),
                "webhook_retries": load.retries,
                **kill_log,
                **verify(load, settings.db_path, settings.rasa_urls, settings.rasa_token),
                "cpus": os.cpu_count(),
            }
            if direct is not None:
                result["rasa_direct_same_load"] = direct
            return result
        finally:
            gateway.stop()
            supervisor.stop_all()
            standin.stop()
            if args.logs:
                shutil.copytree(home / "logs", args.logs, dirs_exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--workers", type=int, default=32, help="GATEWAY_WORKERS")
    parser.add_argument("--kill", action="store_true", help="kill -9 the gateway halfway")
    parser.add_argument(
        "--ramp", type=float, help="seconds to start all users (default: max(2, --think))"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a user pauses between messages"
    )
    parser.add_argument(
        "--rasa-processes", type=int, default=2, help="Rasa servers (RASA_PROCESSES)"
    )
    parser.add_argument(
        "--rasa-direct", action="store_true", help="then the same load straight to Rasa"
    )
    parser.add_argument("--logs", type=Path, help="copy the services' logs to this folder")
    args = parser.parse_args()
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
