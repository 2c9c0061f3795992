"""Grades out of the course's graders and into the LMS.

- ``canvas.py``          a Canvas gradebook CSV matched to the roster exported from Canvas
- ``nbgrader_canvas.py`` the same from nbgrader's gradebook (``nbgrader export --exporter=...``)
"""
