"""hue-assist: gateway, store, shared text tools and the command line.

Kept import-light: the Rasa environment imports ``bot.base`` (and ``bot.domain.emergency``) through the NLU components.
"""
