"""``hue-assist kb``: search the service knowledge base, measure it, rebuild its index."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.base import settings as settings_mod
from knowledge_base.documents import load_folder
from knowledge_base.evaluate import QueryError, evaluate, load_queries
from knowledge_base.retriever import CONFIDENCE_THRESHOLD, Hit, Retriever

app = typer.Typer(help="Cơ sở tri thức dịch vụ (service knowledge base).", no_args_is_help=True)


def hit_shape(hit: Hit) -> dict:
    """One hit as JSON: the document's id, title and source, its score and confidence."""
    return {
        "id": hit.document.id,
        "title": hit.document.title,
        "score": round(hit.score, 4),
        "confidence": round(hit.confidence, 4),
        "source": hit.document.source,
    }


def open_retriever(folder: Path) -> Retriever:
    """A retriever over ``folder``; documents that cannot be loaded are named on stderr."""
    if not folder.is_dir():
        typer.echo(f"{folder}: not a folder of documents", err=True)
        raise typer.Exit(2)
    retriever = Retriever(folder)
    retriever.refresh()
    for error in retriever.errors:
        typer.echo(f"skipped: {error}", err=True)
    return retriever


def refuse_partial(folder: Path) -> None:
    """Exit 1 when any document of ``folder`` is refused, or there are none, naming why:
    figures over part of a knowledge base would pass for figures over all of it."""
    if not folder.is_dir():
        return  # open_retriever says so (exit 2)
    documents, errors = load_folder(folder)
    for error in errors:
        typer.echo(f"refused: {error}", err=True)
    if errors or not documents:
        why = f"{len(errors)} document(s) refused" if errors else "no documents"
        typer.echo(f"kb eval: {why} in {folder}; nothing measured", err=True)
        raise typer.Exit(1)


@app.command("search")
def search(
    query: str = typer.Argument(..., help="The question, as a citizen would ask it."),
    top: int = typer.Option(5, "--top", "-n", min=1, max=50, help="How many documents."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Tìm tài liệu trả lời câu hỏi (find the documents that answer a question)."""
    retriever = open_retriever(settings_mod.load().kb_dir)
    hits = retriever.search(query, top=top)
    if as_json:
        payload = {
            "query": query,
            "threshold": CONFIDENCE_THRESHOLD,
            "hits": [hit_shape(h) for h in hits],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    if not hits:
        typer.echo("(không tìm thấy / nothing found)")
    for rank, hit in enumerate(hits, 1):
        sure = "" if hit.confidence >= CONFIDENCE_THRESHOLD else "  (chưa chắc / not sure)"
        typer.echo(f"{rank}. {hit.confidence:.2f}  {hit.document.id}  {hit.document.title}{sure}")


@app.command("eval")
def eval_(
    queries: Path = typer.Argument(..., help='JSON lines {"question", "expected"}.'),
    kb: Path = typer.Option(
        None, "--kb", help="Evaluate this folder of documents instead of the project's."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print compact JSON (one line)."),
) -> None:
    """Đo recall@1, recall@5, MRR trên một bộ câu hỏi (measure retrieval on a question set)."""
    try:
        items = load_queries(queries)
    except (OSError, QueryError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    folder = kb if kb is not None else settings_mod.load().kb_dir
    refuse_partial(folder)
    result = evaluate(open_retriever(folder), items)
    typer.echo(json.dumps(result) if as_json else json.dumps(result, indent=2))


@app.command("reindex")
def reindex(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Cập nhật chỉ mục, chỉ nhúng lại tài liệu đã đổi (rebuild the index, embed what changed)."""
    settings = settings_mod.load()
    retriever = open_retriever(settings.kb_dir)
    stats = retriever.warm()
    payload = {
        "folder": str(settings.kb_dir),
        "documents": len(retriever.documents),
        "model": retriever.embedder.name if retriever.embedder else None,
        "passages": stats.passages if stats else 0,
        "embedded": stats.embedded if stats else 0,
        "reused": stats.reused if stats else 0,
        "seconds": stats.seconds if stats else 0.0,
        "errors": retriever.errors,
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        typer.echo(
            f"{payload['documents']} documents, {payload['passages']} passages: "
            f"{payload['embedded']} embedded, {payload['reused']} reused "
            f"({payload['model'] or 'lexical only'}, {payload['seconds']} s)"
        )
    if retriever.errors:
        raise typer.Exit(1)
