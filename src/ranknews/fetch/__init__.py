"""Fetching from outlets as a good citizen: one client factory, per-host politeness,
robots.txt, conditional GET, retries, size and time limits, legacy Korean encodings, feeds.

Nothing here imports ``store`` or ``web``; ``pipeline.collect`` wires it to the database.
"""
