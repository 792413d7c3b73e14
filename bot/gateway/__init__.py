"""The gateway: one ASGI app (Starlette, served by uvicorn) for every channel and the Open311 API."""
