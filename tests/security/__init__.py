"""Hostile input from outside (issue 11): Cian data, URLs, stored values."""
