"""autograder/similarity/tokens.py: what a disguise changes is gone from the stream, what it
cannot change stays, and every token points at its text in the original source."""

from __future__ import annotations

from autograder.similarity.tokens import END, IDENTIFIER, LITERAL, normalise

ORIGINAL = '''def relu_forward(x):
    """Docstring of the starter code."""
    mask = x > 0  # which units are on
    out = x * mask
    return out, mask
'''
DISGUISED = '''def relu_forward(x):
    """Another docstring entirely, longer, over
    two lines."""

    # a comment of my own

    on   =   x > 0
    result = (x *
              on)
    return result, on
'''


def texts(source: str) -> list[str]:
    return [t.text for t in normalise(source)]


def test_renamed_names_comments_docstrings_blank_lines_and_layout_change_nothing():
    # The parentheses a line break needs are the one thing layout adds: they are tokens of the program.
    assert texts(DISGUISED) == texts(ORIGINAL.replace("out = x * mask", "out = (x * mask)"))


def test_identifiers_and_literals_are_one_token_each_keywords_and_operators_stay():
    assert texts("y = np.maximum(x, 0.5) if 'a' else None\n") == [
        *(IDENTIFIER, "=", IDENTIFIER, ".", IDENTIFIER, "(", IDENTIFIER, ",", LITERAL, ")"),
        *("if", LITERAL, "else", "None", END),
    ]


def test_trailing_commas_are_layout():
    assert texts("d = {\n    'a': 1,\n    'b': 2,\n}\n") == texts("d = {'a': 1, 'b': 2}\n")


def test_keyword_argument_names_stay_they_are_the_apis_not_the_students():
    assert texts("f(x, num_epochs=5)\n") != texts("f(x, batch_size=5)\n")
    assert texts("f(x, num_epochs=5)\n") == texts("g(y, num_epochs=7)\n")


def test_a_block_on_one_line_reads_as_on_two():
    assert texts("if x > 0: y = x\n") == texts("if x > 0:\n    y = x\n")


def test_a_change_of_program_changes_the_stream():
    assert texts("out = x * mask\n") != texts("out = x + mask\n")
    assert texts("for i in r:\n    a += 1\n") != texts("while i < r:\n    a += 1\n")


def test_every_token_points_at_its_own_text_in_the_source():
    for token in normalise(DISGUISED):
        text = DISGUISED[token.start : token.end]
        if token.text == END:
            assert text == ""  # an end of statement covers no text (highlights stop at the line)
        elif token.text == IDENTIFIER:
            assert text.isidentifier()
        elif token.text != LITERAL:
            assert text == token.text


def test_a_cell_python_cannot_tokenize_is_still_read():
    broken = 'def f(x):\n    s = "unterminated\n    return x * 2 +\n'
    tokens = normalise(broken)
    assert [t.text for t in tokens][:6] == ["def", IDENTIFIER, "(", IDENTIFIER, ")", ":"]
    assert "return" in [t.text for t in tokens]
    for token in tokens:
        assert 0 <= token.start <= token.end <= len(broken)


def test_the_scanner_drops_docstrings_and_comments_too():
    broken = 'def f(x):\n    """doc"""\n    # note\n    return (x\n'
    expected = ["def", IDENTIFIER, "(", IDENTIFIER, ")", ":", "return", "(", IDENTIFIER]
    assert [t.text for t in normalise(broken)] == expected
