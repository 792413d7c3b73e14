"""The knowledge base's best answer to a caller's question, as a suggestion for the operator."""

from __future__ import annotations

from pathlib import Path

from voice.calls import Suggester

MAX_ANSWER_CHARS = 1000


def kb_suggester(folder: Path) -> Suggester:
    """A suggester over ``folder``'s documents; the index is built on the first question."""
    retriever = None

    def suggest(question: str) -> tuple[str, str] | None:
        nonlocal retriever
        if retriever is None:
            # lazy: the retriever loads the embedding model; calls without a question never need it
            from knowledge_base.retriever import Retriever

            retriever = Retriever(folder)
            retriever.refresh()
        hits = retriever.search(question, top=1)
        if not hits:
            return None
        document = hits[0].document
        return document.id, document.answer_vi[:MAX_ANSWER_CHARS]

    return suggest
