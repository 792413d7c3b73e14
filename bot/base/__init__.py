"""Leaves: text, clock, codes, citizen texts, settings, logs. Standard library only, so
the Rasa environment (Python 3.10) imports them too.
"""
