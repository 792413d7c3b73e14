"""The operators' desk under load (issue 14's figures), over real HTTP to real gateway processes.

    .venv/bin/python bench/desk.py [--waiting 500] [--users 200] [--operators 20] [--json]

1. **Views with a full queue.** 500 conversations waiting (12 messages each, one in five with
   a report), seeded into a fresh database; a gateway; an operator signed in. Timed: the
   queue as a poll sees it when something changed since its last look (a message added
   before each call, so it is rebuilt), the same when nothing changed (the page's usual
   poll), and opening a conversation (the whole transcript, redacted, and the audit row).
2. **A reply reaching the citizen.** Operators claim conversations and reply; timed from the
   POST to the Zalo stand-in receiving the message.
3. **20 operators beside the citizens.** The channels benchmark's load (``bench/channels.py``:
   simulated Zalo citizens through signed webhooks, the real Rasa and action server) is run
   alternately without the desk and with 20 operators using it as the page does (a
   conversation open, another every 20 s, the event stream followed and what it says moved
   fetched), ``--rounds`` times
   each; the citizens' turn (webhook → last reply delivered) p95 is compared, mean with
   against mean without, and the gateway's CPU per turn is reported for each run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.channels import Load, stats, verify, wait_drained  # noqa: E402
from bench.common import summary  # noqa: E402
from bot.base import settings as settings_mod  # noqa: E402
from bot.base.clock import stamp  # noqa: E402
from bot.services import accounts  # noqa: E402
from bot.services.processes import Supervisor, action_service, free_port, rasa_services  # noqa: E402
from bot.storage import conversations, handovers  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.desk_support import PASSWORD  # noqa: E402
from tests.standins import zalo as zalo_standin  # noqa: E402
from tests.standins.gateway import Gateway  # noqa: E402
from tests.standins.zalo import ZaloStandin  # noqa: E402

LINES = [
    "xin chao",
    "den duong truoc nha toi bi hong 3 dem nay",
    "so 12 Le Loi, phuong Thuan Hoa",
    "sdt cua toi 0905 123 456",
    "toi muon gap nhan vien",
    "alo co ai khong",
]


def seed(db_path: Path, waiting: int, operators: int) -> list[str]:
    """``waiting`` open conversations with a transcript each; ``operators`` accounts."""
    senders = [f"zalo:7{i:09d}" for i in range(waiting)]
    with Store(db_path) as store:
        for index, sender in enumerate(senders):
            with store.transaction() as db:
                for turn in range(6):
                    at = stamp()
                    text = LINES[turn]
                    conversations.record(
                        db, sender, direction="in", author="citizen", kind="text", text=text, at=at
                    )
                    conversations.record(
                        db, sender, direction="out", author="assistant", kind="reply",
                        text=f"Trợ lý trả lời tin {turn + 1}: {text}", at=at,
                        data={"buttons": [{"title": "Có", "payload": "/affirm"}]},
                    )  # fmt: skip
            if index % 5 == 0:
                store.file_report(
                    service_code="streetlight",
                    description="den hong",
                    channel="zalo",
                    sender_id=sender,
                    address=f"{index} Le Loi, phuong Thuan Hoa",
                )
            store.request_handover(sender, "vi")
        for n in range(operators):
            accounts.add(store, f"op{n:02d}", "operator", PASSWORD, by="bench")
    return senders


async def signed_in(client: httpx.AsyncClient, name: str) -> str:
    response = await client.post("/desk/api/signin", json={"name": name, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["csrf"]


async def suggestions_ready(url: str, sender: str) -> float:
    """Sign in (which loads the knowledge base in the gateway) and wait for a suggestion, so
    that no timing below includes that one-off load."""
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        await signed_in(client, "op00")
        response = await client.get("/desk/api/suggestions", params={"sender": sender})
        response.raise_for_status()
    return round(time.perf_counter() - start, 1)


async def views(url: str, db_path: Path, senders: list[str], calls: int) -> dict[str, Any]:
    """Part 1: queue (rebuilt / cached) and opening a conversation, one operator."""
    rng = random.Random(7)
    store = Store(db_path)
    rebuilt, cached, opened = [], [], []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await signed_in(client, "op00")
        version = ""
        for _ in range(calls):
            with store.transaction() as db:  # a citizen writes: the queue must be rebuilt
                sender = rng.choice(senders)
                conversations.record(
                    db, sender, direction="in", author="citizen", kind="text",
                    text="con ai khong?", at=stamp(),
                )  # fmt: skip
                handovers.touch(db, handovers.open_for(db, sender).id)  # as the gateway does
            start = time.perf_counter()
            response = await client.get("/desk/api/queue", params={"v": version})
            rebuilt.append((time.perf_counter() - start) * 1000)
            body = response.json()
            assert len(body["items"]) == len(senders), len(body["items"])
            version = body["version"]
            start = time.perf_counter()
            again = await client.get("/desk/api/queue", params={"v": version})
            cached.append((time.perf_counter() - start) * 1000)
            assert again.json().get("unchanged")
            start = time.perf_counter()
            view = await client.get(
                "/desk/api/conversation", params={"sender": rng.choice(senders)}
            )
            opened.append((time.perf_counter() - start) * 1000)
            assert view.status_code == 200 and view.json()["messages"]
        size = len(response.content)
    store.close()
    return {
        "waiting": len(senders),
        "queue_after_a_change": summary(rebuilt),
        "queue_unchanged_poll": summary(cached),
        "queue_bytes": size,
        "conversation_open": summary(opened),
    }


async def replies(url: str, standin: ZaloStandin, senders: list[str], count: int) -> dict:
    """Part 2: an operator's reply, from the POST to the stand-in receiving it."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        csrf = await signed_in(client, "op01")
        headers = {"X-CSRF-Token": csrf}
        for n, sender in enumerate(senders[:count]):
            uid = sender.split(":", 1)[1]
            (await client.post("/desk/api/claim", json={"sender": sender}, headers=headers)).raise_for_status()  # fmt: skip
            text = f"Tổng đài viên trả lời #{n}"
            before = standin.counts.get(uid, 0)
            start = time.time()
            response = await client.post(
                "/desk/api/reply", json={"sender": sender, "text": text}, headers=headers
            )
            response.raise_for_status()
            while standin.counts.get(uid, 0) <= before:
                await asyncio.sleep(0.005)
            latencies.append((standin.to(uid)[-1].at - start) * 1000)
            await asyncio.sleep(0.1)
    return {"replies": summary(latencies), "max_ms": round(max(latencies), 1)}


async def operator(
    url: str, name: str, senders: list[str], go: asyncio.Event, calls: list[float]
) -> None:
    """One desk open in a browser, doing what the page does: open a conversation (every 20 s
    another), follow the event stream, and fetch the queue or the conversation when the
    stream says it moved. Signed in before ``go``: operators sign in at the start of their
    shift, not while citizens are timed. Runs until cancelled."""
    rng = random.Random(name)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        await signed_in(client, name)
        await go.wait()
        await asyncio.sleep(rng.uniform(0, 2))
        queue_v = ""
        while True:
            sender = rng.choice(senders)
            start = time.perf_counter()
            opened = await client.get("/desk/api/conversation", params={"sender": sender})
            conv_v = opened.json()["version"]
            queue_v = (await client.get("/desk/api/queue", params={"v": queue_v})).json()["version"]
            calls.append(time.perf_counter() - start)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(20):
                    queue_v, conv_v = await follow(client, sender, queue_v, conv_v, calls)


async def follow(
    client: httpx.AsyncClient, sender: str, queue_v: str, conv_v: str, calls: list[float]
) -> tuple[str, str]:
    """The page's event stream for one conversation: fetch what it says moved."""
    event = None
    async with client.stream("GET", "/desk/api/events", params={"sender": sender}) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
                continue
            if line or event is None:
                continue
            start = time.perf_counter()
            if event == "queue":
                answer = await client.get("/desk/api/queue", params={"v": queue_v})
                queue_v = answer.json()["version"]
            elif event == "conversation":
                answer = await client.get(
                    "/desk/api/conversation", params={"sender": sender, "v": conv_v}
                )
                conv_v = answer.json()["version"]
            calls.append(time.perf_counter() - start)
            event = None
    return queue_v, conv_v


def citizens(gateway: Gateway, standin: ZaloStandin, args, run: int, desk: bool, senders):
    """One channels-benchmark run (its own citizens), with or without the operators."""
    load = Load(gateway, standin, args.users, args.turns, max(2.0, args.think), args.think)
    load.users = [f"6{run}{i:04d}{os.getpid()}" for i in range(args.users)]
    calls: list[float] = []

    async def main() -> float:
        go = asyncio.Event()
        names = [f"op{n:02d}" for n in range(args.operators)] if desk else []
        tasks = [
            asyncio.create_task(operator(gateway.url, name, senders, go, calls)) for name in names
        ]
        await asyncio.sleep(3.0 if desk else 0)  # everyone signed in before the citizens start
        go.set()
        elapsed = await load.run()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return elapsed

    elapsed = asyncio.run(main())
    return load, elapsed, calls


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        desk_file = home / "desk.yml"  # open all day; nobody's case times out during the run
        desk_file.write_text("office_hours: always\nclaim_timeout_minutes: 600\n")
        env = {
            "HUE_ASSIST_HOME": str(home),
            "RASA_PORT": str(free_port()),
            "RASA_PROCESSES": str(args.rasa_processes),
            "ACTION_PORT": str(free_port()),
            "HUE_ASSIST_DESK": str(desk_file),
        }
        settings = settings_mod.load({**os.environ, **env})
        started = time.perf_counter()
        senders = seed(settings.db_path, args.waiting, max(args.operators, 2))
        seeded_s = round(time.perf_counter() - started, 1)
        supervisor = Supervisor(home / "logs")
        standin = ZaloStandin().start()
        gateway = Gateway(
            {
                **env,
                "RASA_URL": ",".join(settings.rasa_urls),
                "ACTION_SERVER_URL": settings.action_server_url,
                **zalo_standin.gateway_env(standin),
            },
            home / "logs" / "gateway.log",
        )
        result: dict[str, Any] = {"seeded_s": seeded_s, "cpus": os.cpu_count()}
        try:
            # Rasa and the action server first: the action server fills the embedding cache
            # that the gateway's suggestions then load from (as on a running system).
            services = [action_service(settings), *rasa_services(settings)] if args.users else []
            for service in services:
                supervisor.start(service)
            for service in services:
                supervisor.wait_ready(service, 300)
            gateway.start()
            result["suggestions_ready_s"] = asyncio.run(suggestions_ready(gateway.url, senders[0]))
            result["views"] = asyncio.run(views(gateway.url, settings.db_path, senders, args.calls))
            result["reply_delivery"] = asyncio.run(
                replies(gateway.url, standin, senders[-args.replies :], args.replies)
            )
            if args.users:
                result["citizens"] = compare(gateway, standin, settings, args, senders)
            return result
        finally:
            gateway.stop()
            supervisor.stop_all()
            standin.stop()


def compare(gateway, standin, settings, args, senders) -> dict[str, Any]:
    """Part 3: the citizens' turn without and with the operators, alternated (A B A B …) so
    that the machine's other load falls on both alike; with the gateway's CPU per turn."""
    process = psutil.Process(gateway.process.pid)
    runs: list[dict[str, Any]] = []
    for run_no in range(args.rounds * 2):
        desk = run_no % 2 == 1
        cpu_before = sum(process.cpu_times()[:2])
        load, elapsed, calls = citizens(gateway, standin, args, run_no, desk, senders)
        wait_drained(settings.db_path)
        gateway_cpu = sum(process.cpu_times()[:2]) - cpu_before
        checked = verify(load, settings.db_path, settings.rasa_urls, settings.rasa_token)
        run = {
            "operators": args.operators if desk else 0,
            "turns_per_s": round(len(load.accepted) / elapsed, 1),
            "steady": load.steady(),
            "webhook_to_last_reply": checked["webhook_to_last_reply"],
            "webhook_ack": stats(load.acks),
            "replies_lost": checked["replies_lost"],
            "replies_duplicated": checked["replies_duplicated"],
            "gateway_cpu_ms_per_turn": round(gateway_cpu / max(1, len(load.accepted)) * 1000, 2),
        }
        if desk:
            run["desk_polls"] = stats(calls)
        runs.append(run)
    without = [r["webhook_to_last_reply"]["p95_ms"] for r in runs if not r["operators"]]
    with_desk = [r["webhook_to_last_reply"]["p95_ms"] for r in runs if r["operators"]]
    base, loaded = sum(without) / len(without), sum(with_desk) / len(with_desk)
    return {
        "runs": runs,
        "p95_without_ms": without,
        "p95_with_operators_ms": with_desk,
        "p95_change": f"{(loaded - base) / base * 100:+.1f}%",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--calls", type=int, default=200, help="timed calls for part 1")
    parser.add_argument("--replies", type=int, default=100)
    parser.add_argument("--users", type=int, default=200, help="citizens (0: skip part 3)")
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", type=float, default=3.8)
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--rasa-processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs without/with")
    args = parser.parse_args()
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
