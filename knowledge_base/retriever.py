"""Finding the service document that answers a citizen's question.

``Retriever`` watches its folder: a document added, changed or removed on disk is picked up
at the next search, without restarting anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.text import clean
from knowledge_base.documents import Document, load_folder
from knowledge_base.lexical import BM25Index, FieldText

log = logging.getLogger(__name__)

# Below this confidence the assistant says it is not sure (tuned on tests/data/kb_dev.jsonl).
CONFIDENCE_THRESHOLD = 0.22
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    confidence: float


class Retriever:
    """Lexical retrieval over one folder of documents."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._signature: tuple | None = None
        self.documents: dict[str, Document] = {}
        self.errors: list[str] = []
        self._index = BM25Index()

    def _folder_signature(self) -> tuple:
        files = sorted(self.folder.glob("*.md"))
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def refresh(self) -> None:
        """Reload the documents if anything in the folder changed."""
        signature = self._folder_signature()
        if signature == self._signature:
            return
        documents, errors = load_folder(self.folder)
        for error in errors:
            log.error("kb document refused: %s", error)
        self.documents = {d.id: d for d in documents}
        self.errors = errors
        self._index = BM25Index().build(
            (
                d.id,
                [
                    FieldText(d.title, 3),
                    FieldText(" . ".join(d.questions), 2),
                    FieldText(d.body, 1),
                ],
            )
            for d in documents
        )
        self._signature = signature

    def search(self, query: str, top: int = 5) -> list[Hit]:
        """The ``top`` best documents for a question, best first (empty for an empty query)."""
        self.refresh()
        query = clean(query)[:MAX_QUERY_CHARS]
        if not query:
            return []
        ranked, possible = self._index.score(query)
        if not ranked or possible <= 0:
            return []
        return [
            Hit(self.documents[doc_id], score, min(1.0, score / possible))
            for doc_id, score in ranked[:top]
        ]

    def get(self, doc_id: str) -> Document | None:
        self.refresh()
        return self.documents.get(doc_id)
