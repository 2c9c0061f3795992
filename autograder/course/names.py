"""The names the course is known by, spelled once: nbgrader's assignment and notebook ids, the
notebook's file name, and the course folder's layout of them (``source/<assignment>/<notebook>``)."""

from __future__ import annotations

ASSIGNMENT = "two_layer_net"  # nbgrader's assignment id, and the folder of source/ and release/
NOTEBOOK = "two_layer_net"  # nbgrader's notebook id
NOTEBOOK_FILE = f"{NOTEBOOK}.ipynb"
SOURCE_NOTEBOOK = f"source/{ASSIGNMENT}/{NOTEBOOK_FILE}"  # relative to the course folder
RELEASE_NOTEBOOK = f"release/{ASSIGNMENT}/{NOTEBOOK_FILE}"
KERNEL = f"{ASSIGNMENT}_sandbox"  # the Jupyter kernel nbgrader executes notebooks in (nbgrader.kernel)
