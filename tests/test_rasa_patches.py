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

# intent from meaning: DIET's probabilities blended with e5's
from pathlib import Path
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from nlu_components.meaning import MeaningIntentClassifier
examples = {
    "out_of_scope": ["thủ đô của Nhật Bản là gì", "hát cho tôi một bài", "kể chuyện cười đi",
                     "what is the capital of Japan", "thời tiết ở Paris thế nào"],
    "ask_info": ["làm căn cước công dân ở đâu", "thủ tục đăng ký khai sinh", "how do I get a birth certificate",
                 "lệ phí cấp giấy phép xây dựng bao nhiêu", "giờ làm việc của ủy ban phường"],
    "greet": ["xin chào", "chào bạn", "hello", "hi there", "chào buổi sáng"],
}
data = TrainingData([Message(data={"text": t, "intent": i}) for i, ts in examples.items() for t in ts])
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
meaning = MeaningIntentClassifier({}, storage, Resource("meaning"))
meaning.train(data)
def parsed(text, diet):
    message = Message(data={"text": text})
    ranking = [{"name": name, "confidence": p} for name, p in diet.items()]  # what DIET said
    message.set("intent", ranking[0] if ranking else {})
    message.set("intent_ranking", ranking)
    processed = meaning.process([message])[0]
    return processed.get("intent"), processed.get("intent_ranking")
half_sure = {"ask_info": 0.6, "out_of_scope": 0.3, "greet": 0.1}
out["meaning_marked"] = parsed("thủ đô của nước Nhật là gì vậy", half_sure)
out["meaning_english"] = parsed("what's the capital city of Japan", half_sure)
out["meaning_unmarked"] = parsed("thu do cua nuoc Nhat la gi vay", {"ask_info": 0.99, "out_of_scope": 0.01})
out["meaning_no_diet"] = parsed("what's the capital city of Japan", {})
out["meaning_unmarked_alone"] = parsed("thu do cua nuoc Nhat la gi vay", {})
meaning._config["diet_sure"] = 0.9999  # as config.yml sets it
out["meaning_diet_sure"] = parsed("what's the capital city of Japan", {"ask_info": 0.99995, "greet": 0.00005})
out["meaning_diet_almost_sure"] = parsed("what's the capital city of Japan", {"ask_info": 0.999, "greet": 0.001})

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


def test_intent_from_meaning_blends_diet_with_e5(checked):
    """DIET half-sure of the wrong intent: e5's opinion of a paraphrase tips the blend."""
    for case in ("meaning_marked", "meaning_english"):
        intent, ranking = checked[case]
        assert intent["name"] == "out_of_scope"
        assert intent == ranking[0]
        confidences = [row["confidence"] for row in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert abs(sum(confidences) - 1) < 1e-6
        # both opinions count: DIET's favourite keeps more than a vetoed intent would
        assert 0.05 < dict((r["name"], r["confidence"]) for r in ranking)["ask_info"] < 0.5


def test_a_sure_diet_is_not_overruled_by_e5_reading_unmarked_text(checked):
    # typed without marks e5 reads poorly; DIET at 0.99 keeps its intent
    intent, _ = checked["meaning_unmarked"]
    assert intent["name"] == "ask_info"
    # what keeps it is DIET's share of the blend: e5 alone leans the other way
    assert checked["meaning_unmarked_alone"][0]["name"] != "ask_info"


def test_without_diets_ranking_e5_alone_decides(checked):
    intent, ranking = checked["meaning_no_diet"]
    assert intent["name"] == "out_of_scope"
    assert len(ranking) == 3
    # the same message blended with DIET's doubt is less sure than e5 alone
    assert checked["meaning_english"][0]["confidence"] < intent["confidence"] - 0.05


def test_a_diet_sure_enough_keeps_its_ranking_and_e5_is_not_asked(checked):
    intent, ranking = checked["meaning_diet_sure"]
    assert intent["name"] == "ask_info" and intent["confidence"] == 0.99995
    assert [row["name"] for row in ranking] == ["ask_info", "greet"]  # DIET's, untouched
    # just under diet_sure, e5 has its say: the blend ranks the intent DIET did not list
    _, blended = checked["meaning_diet_almost_sure"]
    assert {row["name"] for row in blended} == {"ask_info", "greet", "out_of_scope"}
