"""How the class report names students: by name for the instructor, or (``--anonymous``, for
sharing with the course staff) as "student 07", numbered in a random order so that the number
tells neither the name's place in the alphabet nor the score's; names are also taken out of any
free text the report shows (reasons, notes, comments), where a path or a TA may have written one."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence


class Names:
    """``names(student)``: how the report shows ``student``; ``names.scrub(text)``: ``text`` without names."""

    def __init__(self, students: Sequence[str], *, anonymous: bool, seed: int | None = None, ids: Sequence[str] = ()):
        """``students``: as the statistics name them; ``ids``: the students' own ids (folder names,
        nbgrader ids) where they differ, to take out of free text too; ``seed``: the numbering's
        order (default: fresh each time)."""
        self.anonymous = anonymous
        order = list(dict.fromkeys(students))
        random.Random(seed).shuffle(order)
        width = max(2, len(str(len(order))))
        self._shown = {s: f"student {i:0{width}d}" for i, s in enumerate(order, 1)} if anonymous else {}
        words = sorted({*students, *ids} - {""}, key=len, reverse=True)  # longest first: "ann" inside "anna"
        self._pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words)) if anonymous and words else None
        self._by_word = {**{i: "a student" for i in ids}, **self._shown}

    def __call__(self, student: str) -> str:
        return self._shown.get(student, "a student") if self.anonymous else student

    def scrub(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._by_word.get(m.group(0), "a student"), text)
