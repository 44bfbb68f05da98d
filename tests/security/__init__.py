"""Hostile input from outside: Cian data, URLs, stored values."""
