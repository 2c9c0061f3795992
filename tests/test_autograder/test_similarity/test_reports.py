"""autograder/similarity/report_csv.py and report_html.py: one CSV row per pair and answer cell;
one self-contained HTML file whose data a student's code cannot break out of."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

import corpus
from autograder.similarity.pipeline import run
from autograder.similarity.report_csv import COLUMNS, to_csv
from autograder.similarity.report_html import to_html

HOSTILE = "</script><script>document.title='owned'</script><!--"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    hostile_cell = corpus.ANSWERS["svm_loss"].replace(
        "    N = x.shape[0]", f"    N = x.shape[0]  # {HOSTILE}\n    s = {HOSTILE!r}"
    )
    students = {
        "ann": {},
        "ben": {"svm_loss": hostile_cell},
        "cy": corpus.LOOPS,
        "dee": corpus.HELPERS,
    }
    for name, answers in students.items():
        corpus.write_submission(root / name / "two_layer_net" / "two_layer_net.ipynb", answers)
    return run(root, jobs=1)


def test_the_csv_has_one_row_per_pair_and_answer_cell_both_answered(report):
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == sum(len(p.items) for p in report.pairs)
    for rank, pair in enumerate(report.pairs, 1):
        mine = [r for r in rows if r["rank"] == str(rank)]
        assert {r["item"] for r in mine} == set(pair.items)
        for r in mine:
            s = pair.items[r["item"]]
            assert (r["a"], r["b"]) == (pair.a, pair.b)
            assert float(r["score"]) == pytest.approx(s.score, abs=1e-3)
            assert float(r["notebook_score"]) == pytest.approx(pair.score, abs=1e-3)
            assert r["item_flagged"] == str(int(s.flagged)) and r["pair_flagged"] == str(int(pair.flagged))


def test_the_html_needs_nothing_but_itself(report):
    page = to_html(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_a_students_code_cannot_break_out_of_the_reports_data(report):
    page = to_html(report)
    assert page.count("<script") == 2  # the data and the report's own script, nothing else
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    parsed = json.loads(data)
    assert any(HOSTILE in cell for e in parsed["entries"].values() for cell in e["cells"].values())


def test_the_html_ranks_the_pairs_and_lists_every_answer_cell(report):
    page = to_html(report)
    ranked = re.findall(r'<tr class="pair[^"]*" data-pair="(\d+)"', page)
    assert ranked == [str(n) for n in range(len(report.pairs))]
    for item in report.pairs[0].code_items:
        assert f'title="{item}"' in page
    assert 'title="written answers: inline_question_1, inline_question_2' in page
    assert "For instructors only" in page


def test_the_written_answers_have_their_own_column_and_their_side_by_side(report):
    # Every student of the fixture hands in the reference solution's written answers.
    pair = report.pairs[0]
    assert pair.written == pytest.approx(1.0) and {"inline_question_1", "inline_question_2"} <= set(pair.items)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert {r["written_score"] for r in rows if r["rank"] == "1"} == {"1.000"}
    assert any(r["item"] == "inline_question_1" for r in rows)
    page = to_html(report)
    assert page.count('<td class="written ') == len(report.pairs)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert data["written"] == ["inline_question_1", "inline_question_2"] and data["pairs"][0]["written"] == 1.0
    assert data["pairs"][0]["items"]["inline_question_1"]["ma"]  # highlighted in the side-by-side view
