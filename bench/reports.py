"""Reports backend at Huế's scale (issue 3's figures).

    .venv/bin/python bench/reports.py [--n 183000] [--json]

1. generate 183,000 synthetic reports (bench/reports_data.py) and bulk-load them;
2. lookup by tracking code, duplicate check: p95 over 2,000 random calls each;
3. Open311 ``GET requests.json`` with a service code and a 30-day range, over HTTP to a real
   gateway process: p95 over 300 calls;
4. ``reports list --overdue``: the command in-process (typer's runner) and as a whole process;
5. four processes filing 1,000 reports each at once into a fresh file.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import summary  # noqa: E402
from bench.reports_data import STREETS, generate  # noqa: E402
from bot.base import settings as settings_mod  # noqa: E402
from bot.base.clock import iso, now  # noqa: E402
from bot.domain import categories, gazetteer  # noqa: E402
from bot.services.processes import Supervisor, free_port, gateway_service  # noqa: E402
from bot.storage.store import Store

HUE_ASSIST = str(Path(sys.executable).parent / "hue-assist")


def timed(calls: int, fn) -> dict[str, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return summary(times)


def lookups(store: Store, rng: random.Random) -> dict[str, float]:
    codes = [r[0] for r in store.db.execute("SELECT service_request_id FROM reports")]
    return timed(2000, lambda: store.get_report(rng.choice(codes)))


def duplicate_checks(store: Store, rng: random.Random) -> dict[str, float]:
    def check() -> None:
        code = rng.choice(list(categories.BY_CODE))
        if rng.random() < 0.5:
            store.find_duplicate(
                service_code=code,
                lat=rng.uniform(16.40, 16.52),
                long=rng.uniform(107.50, 107.66),
            )
        else:
            store.find_duplicate(
                service_code=code,
                address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
                ward=rng.choice(gazetteer.WARDS),
            )

    return timed(2000, check)


def open311_queries(home: Path, rng: random.Random) -> dict[str, float]:
    env = {"HUE_ASSIST_HOME": str(home), "GATEWAY_PORT": str(free_port())}
    settings = settings_mod.load({**os.environ, **env})
    supervisor = Supervisor(home / "logs")
    service = gateway_service(settings, env)
    supervisor.start(service)
    try:
        supervisor.wait_ready(service, 60)
        with httpx.Client(base_url=f"{service.url}/open311/v2", timeout=30) as client:
            rows: list[int] = []

            def query() -> None:
                start = now() - timedelta(days=rng.uniform(30, 1000))
                response = client.get(
                    "/requests.json",
                    params={
                        "service_code": rng.choice(list(categories.BY_CODE)),
                        "start_date": iso(start),
                        "end_date": iso(start + timedelta(days=30)),
                    },
                )
                response.raise_for_status()
                rows.append(len(response.json()))

            result = timed(300, query)
            result["mean_rows"] = round(sum(rows) / len(rows), 1)
            return result
    finally:
        supervisor.stop_all()


def overdue_list(home: Path) -> dict[str, float]:
    from typer.testing import CliRunner

    from bot.cli import app

    runner = CliRunner()
    env = {"HUE_ASSIST_HOME": str(home)}
    in_process = timed(
        20, lambda: runner.invoke(app, ["reports", "list", "--overdue", "--json"], env=env)
    )
    whole = timed(
        5,
        lambda: subprocess.run(
            [HUE_ASSIST, "reports", "list", "--overdue"],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        ),
    )
    return {"in_process_p95_ms": in_process["p95_ms"], "whole_process_p95_ms": whole["p95_ms"]}


def _filer(path: str, worker: int, count: int, queue) -> None:  # type: ignore[no-untyped-def]
    store = Store(path)
    failures = 0
    for i in range(count):
        try:
            store.file_report(
                service_code="garbage",
                description=f"worker {worker} report {i}",
                channel="web",
                sender_id=f"web:bench-{worker}",
                address=f"{i} Lê Lợi",
                ward="Vỹ Dạ",
            )
        except Exception:  # noqa: BLE001 - count every failure, whatever it is
            failures += 1
    store.close()
    queue.put(failures)


def concurrent_filing(folder: Path, processes: int = 4, each: int = 1000) -> dict[str, object]:
    path = str(folder / "concurrent.db")
    Store(path).close()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_filer, args=(path, w, each, queue))
        for w in range(processes)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    failures = sum(queue.get() for _ in workers)
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    store = Store(path)
    try:
        rows = store.db["reports"].count
        unique = store.db.execute(
            "SELECT count(DISTINCT service_request_id) FROM reports"
        ).fetchone()[0]
        without_history = store.db.execute(
            "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM report_history h WHERE h.service_request_id = r.service_request_id)"
        ).fetchone()[0]
    finally:
        store.close()
    return {
        "rows": rows,
        "unique_codes": unique,
        "failures": failures,
        "without_history": without_history,
        "seconds": round(seconds, 1),
        "reports_per_s": round(rows / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=183_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(11)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        start = time.perf_counter()
        reports = list(generate(args.n))
        results["generate_s"] = round(time.perf_counter() - start, 1)
        store = Store(home / "hue-assist.db")
        start = time.perf_counter()
        store.import_reports(reports)
        results["load_s"] = round(time.perf_counter() - start, 1)
        del reports
        results["reports"] = store.db["reports"].count
        results["history_rows"] = store.db["report_history"].count
        results["lookup_by_code"] = lookups(store, rng)
        results["duplicate_check"] = duplicate_checks(store, rng)
        store.close()
        results["open311_code_and_30_days"] = open311_queries(home, rng)
        results["reports_list_overdue"] = overdue_list(home)
        results["four_processes_x_1000"] = concurrent_filing(home)
    print(json.dumps(results, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
