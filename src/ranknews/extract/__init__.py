"""Turning an outlet's page into an Article: structured data, main text, Korean cleanup."""
