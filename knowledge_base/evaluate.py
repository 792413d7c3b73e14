"""Measuring retrieval on a question set: recall@1, recall@5 and mean reciprocal rank.

The question file is JSON lines ``{"question": "...", "expected": "<document id>"}``, the
format of tests/data/kb_dev.jsonl and of ``hue-assist kb eval``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from knowledge_base.retriever import Hit

# How deep the reciprocal rank looks: a document ranked below this counts as not found.
MRR_DEPTH = 50


class QueryError(ValueError):
    """A question file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Query:
    question: str
    expected: str


class Searcher(Protocol):
    def search(self, query: str, top: int = 5) -> Sequence[Hit]: ...


def load_queries(path: Path) -> list[Query]:
    """The questions of a JSON-lines file (blank lines skipped)."""
    queries: list[Query] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                queries.append(Query(str(item["question"]), str(item["expected"])))
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise QueryError(
                    f"{path}:{number}: expected {{'question', 'expected'}}: {error}"
                ) from None
    return queries


def ranks(ranked_ids: Callable[[str], list[str]], queries: Sequence[Query]) -> list[int | None]:
    """The 1-based rank of each query's expected document (None when not in the list)."""
    out: list[int | None] = []
    for query in queries:
        ids = ranked_ids(query.question)
        out.append(ids.index(query.expected) + 1 if query.expected in ids else None)
    return out


def metrics(found: Sequence[int | None]) -> dict[str, float | int]:
    """recall@1, recall@5 and MRR of a list of ranks, rounded for printing."""
    n = len(found)
    if not n:
        return {"recall_at_1": 0.0, "recall_at_5": 0.0, "mrr": 0.0, "n": 0}
    return {
        "recall_at_1": round(sum(r == 1 for r in found) / n, 4),
        "recall_at_5": round(sum(r is not None and r <= 5 for r in found) / n, 4),
        "mrr": round(sum(1 / r for r in found if r) / n, 4),
        "n": n,
    }


def evaluate(retriever: Searcher, queries: Sequence[Query]) -> dict[str, float | int]:
    """``{"recall_at_1", "recall_at_5", "mrr", "n"}`` of a retriever on ``queries``."""

    def ranked_ids(question: str) -> list[str]:
        return [hit.document.id for hit in retriever.search(question, top=MRR_DEPTH)]

    return metrics(ranks(ranked_ids, queries))
