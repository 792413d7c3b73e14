"""Rasa custom actions for hue-assist, one small module per journey.

The action server (``python -m actions``, see ``__main__``) imports every module here.
Nothing is opened at import time: each action reads settings and opens the store when it runs.
"""

from bot.base import logs

# Sanic runs the actions in a worker process that imports this package afresh: its log lines
# must be the project's JSON lines too (who, what, id; never message text).
logs.configure()

# Only calls that carry this installation's secret run an action (see secret.py).
from actions import secret  # noqa: E402

secret.register()
