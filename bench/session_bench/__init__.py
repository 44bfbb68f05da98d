"""The session benchmark (`bench/sessions.py`): its Django project, harness, rows and report."""
