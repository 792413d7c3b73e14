"""Services: statistics, export, the Rasa client and processes, channel adapters. Over
storage and the domain; the faces (gateway, CLI, actions) sit on top.
"""
