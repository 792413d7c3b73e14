"""The service knowledge base: documents under ``services/`` and the retriever over them.

``retriever.Retriever`` is the entry point (hybrid BM25 + embeddings, calibrated confidence);
``evaluate`` measures it on a question file; docs/kb-benchmark.md explains the choices.
"""
