"""The domain: categories, places, the report lifecycle, routing, duplicates,
notifications, emergencies, redaction. Pure rules over the leaves; no storage, no I/O
beyond reading their own data files.
"""
