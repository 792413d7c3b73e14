"""Each dependency on Rasa's internals, checked in Rasa's own environment (Python 3.10)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from bot.base import settings as settings_mod
from bot.services.training import rasa_env

ROOT = Path(__file__).resolve().parents[1]


def in_rasa(code: str) -> subprocess.CompletedProcess:
    python = str(settings_mod.load().rasa_bin.parent / "python")
    return subprocess.run(
        [python, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=rasa_env(ROOT),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_patches_check_and_apply_on_the_pinned_rasa():
    result = in_rasa(
        """
        from nlu_components import patches
        patches.apply()
        patches.apply()  # twice is harmless
        from rasa.core.processor import MessageProcessor
        assert MessageProcessor._parse_message_with_graph._hue_assist
        print("ok")
        """
    )
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_a_missing_internal_or_another_version_stops_loudly():
    result = in_rasa(
        """
        import rasa
        from rasa.core.processor import MessageProcessor
        del MessageProcessor._parse_message_with_graph
        rasa.__version__ = "3.7.0"
        from nlu_components import patches
        try:
            patches.check()
        except patches.PatchError as error:
            print(error)
        """
    )
    assert "MessageProcessor._parse_message_with_graph is gone" in result.stdout, result.stderr
    assert "Rasa 3.7.0 is installed" in result.stdout


def test_action_responses_are_still_validated_by_the_compiled_validator():
    result = in_rasa(
        """
        from jsonschema import ValidationError
        from nlu_components import patches
        patches.apply()
        from rasa.core.actions.action import RemoteAction
        assert RemoteAction._validate_action_result(None, {"events": [], "responses": []})
        try:
            RemoteAction._validate_action_result(None, {"events": "not a list"})
        except ValidationError as error:
            print("refused:", "Failed to validate Action server response" in error.message)
        """
    )
    assert "refused: True" in result.stdout, result.stderr[-2000:]


def test_a_button_is_parsed_by_the_regex_handler_alone():
    result = in_rasa(
        """
        from types import SimpleNamespace
        from rasa.shared.core.domain import Domain
        from nlu_components import patches

        def pipeline(self, message, tracker, only_output_properties=True):
            return {"text": message.text, "intent": {"name": "from_pipeline"}}

        parse = patches.buttons_by_regex(pipeline)
        me = SimpleNamespace(domain=Domain.load("domain.yml"))
        button = parse(me, SimpleNamespace(text='/report_incident{"category": "tree"}'), None)
        print(button["intent"]["name"], button["entities"][0]["value"])
        typed = parse(me, SimpleNamespace(text="cay do"), None)
        print(typed["intent"]["name"])
        unknown = parse(me, SimpleNamespace(text="/no_such_intent"), None)
        print(unknown["intent"]["name"])
        """
    )
    lines = result.stdout.split()
    assert lines == ["report_incident", "tree", "from_pipeline", "from_pipeline"], result.stderr


def test_the_tracker_store_writes_rasas_own_table_layout():
    result = in_rasa(
        """
        from rasa.core.tracker_store import SQLTrackerStore
        from nlu_components import patches, tracker_store
        import sqlite3, tempfile, os
        db = os.path.join(tempfile.mkdtemp(), "t.db")
        tracker_store.SQLiteTrackerStore(db=db)
        ours = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(events)")]
        theirs = [c.name for c in SQLTrackerStore.SQLEvent.__table__.columns]
        print(ours == theirs == list(patches.EVENT_COLUMNS))
        """
    )
    assert result.stdout.strip() == "True", result.stderr[-2000:]


def test_what_rasa_imports_from_the_project_runs_in_its_environment():
    """The leaves and the emergency detector are imported by Rasa's Python 3.10."""
    result = in_rasa(
        """
        from nlu_components import emergency, language, vietnamese
        from bot.domain.emergency import detect
        print(detect("nha toi bi chay").numbers[0])
        """
    )
    assert result.stdout.strip() == "114", result.stderr[-2000:]
