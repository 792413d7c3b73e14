"""Rasa custom actions for hue-assist, one small module per journey.

The action server (``python -m rasa_sdk --actions actions``) imports every module here.
Nothing is opened at import time: each action reads settings and opens the store when it runs.
"""
