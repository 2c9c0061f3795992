"""nbgrader preprocessors of the course, one per module named after its class (as nbgrader's own);
``nbgrader_config.py`` names them by dotted path."""

from .hidehiddentesttracebacks import HideHiddenTestTracebacks
from .restoredeletedcells import RestoreDeletedCells
from .sandboxedexecute import SandboxedExecute

__all__ = ["HideHiddenTestTracebacks", "RestoreDeletedCells", "SandboxedExecute"]
