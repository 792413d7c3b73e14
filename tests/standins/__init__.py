"""Recording stand-ins for the channels' APIs, served by uvicorn on free 127.0.0.1 ports."""
