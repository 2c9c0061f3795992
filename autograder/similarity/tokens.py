"""Normalised token streams of an answer cell, each token tied to where it stands in the source.

What a disguise changes is thrown away: every identifier becomes ``V`` (but the names of keyword
arguments, which the function called fixes) and every literal (number, string) ``L``; comments,
docstrings, blank lines, the layout of the code and trailing commas (``[a, b,]``) are dropped.
What it cannot change without changing the program stays: keywords, operators,
brackets, and the ends of statements (``;``; none after the ``:`` of a block's header, so that
``if c: s`` on one line reads as it does on two). A copy with renamed variables, rewritten comments
or extra blank lines therefore gives the same stream as its original.

Every token keeps the character offsets of its text in the cell, so that a match can be shown
in the student's own source. A cell that Python cannot tokenize (an unfinished string, a stray
bracket) is read by a simpler scanner instead: the report still compares it.
"""

from __future__ import annotations

import io
import keyword
import re
import token as tok
import tokenize
from typing import NamedTuple

IDENTIFIER = "V"
LITERAL = "L"
END = ";"  # the end of a logical line (a statement)


class Token(NamedTuple):
    text: str  # the normalised token
    start: int  # character offsets of the original text in the cell's source
    end: int


def _line_offsets(source: str) -> list[int]:
    offsets, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        offsets.append(total)
    return offsets


def _is_docstring(kind: int, prev: int | None, following: int | None) -> bool:
    """A string standing alone as a statement (docstrings, and strings used as comments)."""
    return (
        kind == tok.STRING
        and prev in (None, tok.NEWLINE, tok.INDENT, tok.DEDENT)
        and following in (tok.NEWLINE, tok.ENDMARKER, None)
    )


def normalise(source: str) -> list[Token]:
    """The normalised tokens of ``source`` (Python's tokenizer; a simpler scanner if it fails)."""
    try:
        tokens = _python_tokens(source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = _scanned_tokens(source)
    return _names(tokens)


_NAME = "\0"  # prefix of a name until _names decides what it becomes


def _names(tokens: list[Token]) -> list[Token]:
    """Names become ``V``, except the names of keyword arguments (``num_epochs=``): the function
    called fixes them, so a disguise cannot rename them, and which ones a student passes, in
    which order, tells honest solutions apart (the Solver cells of a class differ in little else).
    """
    out = []
    depth = 0
    for i, t in enumerate(tokens):
        text = t.text
        if text == "," and i + 1 < len(tokens) and tokens[i + 1].text in (")", "]", "}"):
            continue  # a trailing comma is layout
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth = max(0, depth - 1)
        elif text.startswith(_NAME):
            name = text[1:]
            following = tokens[i + 1].text if i + 1 < len(tokens) else ""
            text = name if depth > 0 and following == "=" else IDENTIFIER
        out.append(Token(text, t.start, t.end) if text != t.text else t)
    return out


def _python_tokens(source: str) -> list[Token]:
    offsets = _line_offsets(source)
    raw = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tok.COMMENT, tok.NL, tok.ENCODING)
    ]
    out: list[Token] = []
    for i, t in enumerate(raw):
        prev = raw[i - 1].type if i else None
        following = raw[i + 1].type if i + 1 < len(raw) else None
        if t.type in (tok.INDENT, tok.DEDENT, tok.ENDMARKER) or _is_docstring(t.type, prev, following):
            continue
        start = offsets[t.start[0] - 1] + t.start[1] if t.start[0] - 1 < len(offsets) else len(source)
        end = offsets[t.end[0] - 1] + t.end[1] if t.end[0] - 1 < len(offsets) else len(source)
        if t.type == tok.NEWLINE:
            if out and out[-1].text not in (END, ":"):
                out.append(Token(END, start, start))  # no text: a highlight never runs into the next line
            continue
        out.append(Token(_normal(t.type, t.string), start, end))
    return out


def _normal(kind: int, text: str) -> str:
    if kind == tok.NAME:
        return text if keyword.iskeyword(text) else _NAME + text
    if kind in (tok.NUMBER, tok.STRING) or kind in _FSTRING_PARTS:
        return LITERAL
    return text


# f-strings are tokenized into parts from Python 3.12 on: each part counts as a literal.
_FSTRING_PARTS = {getattr(tok, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tok, n)}

_SCAN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|$)|\"\"\"[\s\S]*?(?:\"\"\"|$)|'[^'\n]*'?|"[^"\n]*"?))
      | (?P<number>\d[\w.]*)
      | (?P<name>[^\W\d]\w*)
      | (?P<newline>\n)
      | (?P<space>[ \t\r\f\\]+)
      | (?P<op>\*\*=?|//=?|<<=?|>>=?|->|:=|[-+*/%@&|^<>=!]=|\S)""",
    re.VERBOSE,
)


def _scanned_tokens(source: str) -> list[Token]:
    """The same normalisation by a regular expression: for cells Python cannot tokenize."""
    out: list[Token] = []
    depth = 0
    for m in _SCAN.finditer(source):
        kind, text = m.lastgroup, m.group()
        if kind in ("comment", "space"):
            continue
        if kind == "newline":
            if depth == 0 and out and out[-1].text not in (END, ":"):
                out.append(Token(END, m.start(), m.start()))
            continue
        if kind == "name":
            text = text if keyword.iskeyword(text) else _NAME + text
        elif kind in ("string", "number"):
            text = LITERAL
        elif text in "([{":
            depth += 1
        elif text in ")]}":
            depth = max(0, depth - 1)
        out.append(Token(text, m.start(), m.end()))
    # Strings alone on a line (docstrings) are dropped as Python's tokenizer path drops them.
    kept = [
        t
        for i, t in enumerate(out)
        if not (
            t.text == LITERAL
            and (i == 0 or out[i - 1].text in (END, ":"))
            and (i + 1 == len(out) or out[i + 1].text == END)
        )
    ]
    return [t for i, t in enumerate(kept) if not (t.text == END and (i == 0 or kept[i - 1].text in (END, ":")))]
