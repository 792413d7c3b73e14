"""Storage: the SQLite database, its migrations, and the tables of each area (reports,
handovers, outbox, audit, inbox, calls, review). Below the services and the faces.
"""
