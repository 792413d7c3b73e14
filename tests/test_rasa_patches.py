"""Each dependency on Rasa's internals, checked in Rasa's own environment (Python 3.10).

Importing Rasa takes ~15 s, so one script in that environment runs every check and prints
one JSON object; each test reads its own part.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.base import settings as settings_mod
from bot.services.training import rasa_env

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = r"""
import json, os, sqlite3, tempfile
from types import SimpleNamespace

import rasa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from nlu_components import emergency, language, patches, tracker_store, vietnamese
from bot.domain.emergency import detect

out = {}
patches.apply()
patches.apply()  # twice is harmless
out["applied"] = bool(MessageProcessor._parse_message_with_graph._hue_assist)

# the compiled validator still validates
out["valid_passes"] = RemoteAction._validate_action_result(None, {"events": [], "responses": []})
try:
    RemoteAction._validate_action_result(None, {"events": "not a list"})
    out["invalid_refused"] = False
except ValidationError as error:
    out["invalid_refused"] = "Failed to validate Action server response" in error.message

# a button goes to the regex handler alone; typed text and unknown intents to the pipeline
def pipeline(self, message, tracker, only_output_properties=True):
    return {"text": message.text, "intent": {"name": "from_pipeline"}, "entities": []}
parse = patches.buttons_by_regex(pipeline)
me = SimpleNamespace(domain=Domain.load("domain.yml"))
button = parse(me, SimpleNamespace(text='/report_incident{"category": "tree"}'), None)
out["button"] = [button["intent"]["name"], button["entities"][0]["value"]]
out["typed"] = parse(me, SimpleNamespace(text="cay do"), None)["intent"]["name"]
out["unknown"] = parse(me, SimpleNamespace(text="/no_such_intent"), None)["intent"]["name"]

# the tracker store writes Rasa's own table layout
db = os.path.join(tempfile.mkdtemp(), "t.db")
tracker_store.SQLiteTrackerStore(db=db)
ours = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(events)")]
theirs = [column.name for column in SQLTrackerStore.SQLEvent.__table__.columns]
out["table"] = ours == theirs == list(patches.EVENT_COLUMNS)

# the project's modules that Rasa imports run here
out["detect"] = detect("nha toi bi chay").numbers[0]

# a missing internal or another version stops loudly (checked last: it breaks Rasa)
del MessageProcessor._parse_message_with_graph
rasa.__version__ = "3.7.0"
try:
    patches.check()
    out["refused"] = ""
except patches.PatchError as error:
    out["refused"] = str(error)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def checked() -> dict:
    python = str(settings_mod.load().rasa_bin.parent / "python")
    result = subprocess.run(
        [python, "-c", SCRIPT],
        cwd=ROOT,
        env=rasa_env(ROOT),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_patches_check_and_apply_on_the_pinned_rasa(checked):
    assert checked["applied"] is True


def test_a_missing_internal_or_another_version_stops_loudly(checked):
    assert "MessageProcessor._parse_message_with_graph is gone" in checked["refused"]
    assert "Rasa 3.7.0 is installed" in checked["refused"]


def test_action_responses_are_still_validated_by_the_compiled_validator(checked):
    assert checked["valid_passes"] is True and checked["invalid_refused"] is True


def test_a_button_is_parsed_by_the_regex_handler_alone(checked):
    assert checked["button"] == ["report_incident", "tree"]
    assert checked["typed"] == "from_pipeline" and checked["unknown"] == "from_pipeline"


def test_the_tracker_store_writes_rasas_own_table_layout(checked):
    assert checked["table"] is True


def test_what_rasa_imports_from_the_project_runs_in_its_environment(checked):
    """The leaves and the emergency detector are imported by Rasa's Python 3.10."""
    assert checked["detect"] == "114"
