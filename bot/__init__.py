"""hue-assist: gateway, store, shared text tools and the command line.

Kept import-light: the Rasa environment imports ``bot.text`` through the NLU components.
"""
