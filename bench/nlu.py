"""Rasa parse latency and whole-turn latency (Rasa + action server), on this machine.

    .venv/bin/python bench/nlu.py            # needs a trained model (make train)

Parse: every NLU example (the messages cross-validation tests on) through /model/parse, and
messages the model never trained on (the knowledge base's dev questions and the held-out
1022-style reports): DIET is surer of its own examples, and a sure DIET skips e5's pass
(``diet_sure`` in config.yml), so the unseen messages are the fairer figure.
Turn: a knowledge-base question, and a report-form step, through Rasa's REST channel, each
on a fresh conversation, so the action server and the SQLite tracker store are in the path;
also a turn for each unseen knowledge-base question.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import nlu_examples, stack, summary  # noqa: E402
from bot.services.rasa_client import RasaClient  # noqa: E402

UNSEEN = (ROOT / "tests" / "data" / "kb_dev.jsonl", ROOT / "bench" / "data" / "reports_1022.jsonl")


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def unseen() -> tuple[list[str], list[str]]:
    """Messages no NLU example is: the KB dev questions, and all of them with the reports."""
    questions, texts = [], []
    for path in UNSEEN:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                text = row.get("question") or row.get("text")
                texts.append(text)
                if "question" in row:
                    questions.append(text)
    return questions, texts


def main() -> None:
    examples = nlu_examples()
    new_questions, new_texts = unseen()
    questions = [t for t, i in examples if i == "ask_info"]
    reports = [t for t, i in examples if i == "report_incident"]
    with stack() as settings, RasaClient(settings.rasa_url, token=settings.rasa_token) as rasa:
        for text, _ in examples[:30]:  # warm-up
            rasa.parse(text)
        parse = [timed(lambda t=t: rasa.parse(t)) for t, _ in examples]
        parse_unseen = [timed(lambda t=t: rasa.parse(t)) for t in new_texts]
        kb_unseen = [
            timed(lambda q=q: rasa.send(f"bench:{uuid.uuid4().hex}", q)) for q in new_questions
        ]
        kb_turns = [timed(lambda q=q: rasa.send(f"bench:{uuid.uuid4().hex}", q)) for q in questions]
        form_steps = []
        for text in reports[:100]:
            sender = f"bench:{uuid.uuid4().hex}"
            form_steps.append(timed(lambda s=sender, t=text: rasa.send(s, t)))
            form_steps.append(timed(lambda s=sender: rasa.send(s, "12 Lê Lợi, phường Thuận Hóa")))
    result = {
        "parse": summary(parse),
        "parse_unseen": summary(parse_unseen),
        "turn_kb_answer_unseen": summary(kb_unseen),
        "turn_kb_answer": summary(kb_turns),
        "turn_form_step": summary(form_steps),
        "turn_all": summary(kb_turns + form_steps),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
