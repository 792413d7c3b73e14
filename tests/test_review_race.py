"""Two supervisors approving one hotline draft at the same moment file one report (issue 15)."""

from __future__ import annotations

import threading

from bot.storage.store import Store, StoreError
from tests.review_support import seed_call, streetlight_draft
from voice import review


def test_two_approvals_of_one_draft_file_one_report(tmp_path, monkeypatch):
    path = tmp_path / "hue-assist.db"
    with Store(path) as store:
        seed_call(store, "C-race", confidence=0.6, draft=streetlight_draft())
    both_read = threading.Barrier(2, timeout=10)
    check = Store.find_duplicate

    def after_both_read_the_draft(self, **kwargs):  # noqa: ANN001, ANN003
        both_read.wait()  # each has seen the draft still open
        return check(self, **kwargs)

    monkeypatch.setattr(Store, "find_duplicate", after_both_read_the_draft)
    outcomes: list[object] = []

    def approve(who: str) -> None:
        with Store(path) as store:
            try:
                outcomes.append(review.approve(store, "C-race", who=who)["service_request_id"])
            except StoreError as error:
                outcomes.append(error)

    threads = [threading.Thread(target=approve, args=(who,)) for who in ("lan", "minh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    filed = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, StoreError)]
    assert len(filed) == 1 and len(refused) == 1, outcomes
    with Store(path) as store:
        assert store.db["reports"].count == 1
        assert store.db.execute("SELECT report_id FROM draft_reports").fetchone()[0] == filed[0]
