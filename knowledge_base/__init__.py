"""The service knowledge base: documents under ``services/`` and the retriever over them."""
