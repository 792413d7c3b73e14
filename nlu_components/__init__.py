"""Custom Rasa NLU components (imported by Rasa in .venv-rasa, Python 3.10)."""
