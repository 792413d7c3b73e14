"""Loading knowledge-base documents: YAML front matter, then the answer body."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.base.text import clean

REQUIRED = ("id", "title", "source")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ENGLISH_RE = re.compile(r"^\s*(?:\*\*)?English(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$", re.I | re.M)


class DocumentError(ValueError):
    """A document that cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    questions: tuple[str, ...]
    body: str
    source: str
    department: str = ""
    updated: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def answer_vi(self) -> str:
        """The Vietnamese part of the body (everything before an "English:" heading)."""
        return _ENGLISH_RE.split(self.body, maxsplit=1)[0].strip()

    @property
    def answer_en(self) -> str | None:
        """The English part of the body, if the document has one."""
        parts = _ENGLISH_RE.split(self.body, maxsplit=1)
        return parts[1].strip() if len(parts) == 2 and parts[1].strip() else None

    def answer(self, language: str) -> str:
        if language == "en" and self.answer_en:
            return self.answer_en
        return self.answer_vi


def parse(text: str, path: Path) -> Document:
    """Parse one document; raise DocumentError naming ``path`` on any problem."""
    text = clean_newlines(text)
    if not text.startswith("---\n"):
        raise DocumentError(f"{path}: no YAML front matter (the file must start with '---')")
    end = text.find("\n---", 4)
    if end < 0:
        raise DocumentError(f"{path}: front matter is not closed with '---'")
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError as error:
        raise DocumentError(f"{path}: broken front matter: {error}") from None
    if not isinstance(meta, dict):
        raise DocumentError(f"{path}: front matter is not a mapping")
    # ``questions`` must be there but may be empty (``[]`` or nothing): a document taken from
    # an FAQ answer has no sample phrasings of its own, and inventing some would only leak
    # the very question it is measured on.
    missing = [key for key in REQUIRED if not meta.get(key)]
    missing += [] if "questions" in meta else ["questions"]
    if missing:
        raise DocumentError(f"{path}: missing {', '.join(missing)}")
    doc_id = str(meta["id"]).strip()
    if not _ID_RE.match(doc_id):
        raise DocumentError(f"{path}: id {doc_id!r} must be lower-case ASCII, digits and '-'")
    questions = meta["questions"] if meta["questions"] is not None else []
    if isinstance(questions, str) or not isinstance(questions, list):
        raise DocumentError(f"{path}: questions must be a list")
    body = text[end + 4 :].lstrip("-").strip()
    if not body:
        raise DocumentError(f"{path}: the answer body is empty")
    return Document(
        id=doc_id,
        title=clean(str(meta["title"])),
        questions=tuple(clean(str(q)) for q in questions if q),
        body=body,
        source=str(meta["source"]).strip(),
        department=clean(str(meta.get("department") or "")),
        updated=str(meta.get("updated") or ""),
        path=path,
    )


def clean_newlines(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").lstrip("\ufeff"))


def load_folder(folder: Path) -> tuple[list[Document], list[str]]:
    """All documents of a folder, and the errors of those that could not be loaded.

    A broken file does not stop the others; two files with the same id are both refused
    and the error names them.
    """
    documents: dict[str, Document] = {}
    errors: list[str] = []
    clashes: set[str] = set()
    for path in sorted(Path(folder).glob("*.md")):
        try:
            doc = parse(path.read_text(encoding="utf-8"), path)
        except (DocumentError, UnicodeDecodeError) as error:
            errors.append(str(error))
            continue
        if doc.id in documents:
            errors.append(f"duplicate id {doc.id!r} in {documents[doc.id].path} and {path}")
            clashes.add(doc.id)
            continue
        documents[doc.id] = doc
    return [d for i, d in documents.items() if i not in clashes], errors
