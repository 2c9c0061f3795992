"""The class report as one self-contained HTML page (styles and plots inline, no script, nothing
fetched), laid out from :class:`~autograder.reports.statistics.ClassStatistics`: what to re-teach
first, then how each item and check went, the training runs, the inline questions, and what could
not be graded."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from autograder.course.items import ITEMS_BY_NAME

from . import plots
from .anonymity import Names
from .statistics import NEAR, ClassStatistics, ItemStats, summary

TOP_CHECKS = 15  # the others fold away (the CSV has them all)
DISCRIMINATION_HELP = (
    "The discrimination index is the correlation between the points students got on the item and the "
    "points they got on the rest of the assignment (point-biserial, from -1 to 1): above 0.3 the item "
    "separates stronger from weaker students well, near 0 it does not (nearly everyone gets it, or getting "
    "it is unrelated to the rest), and below 0 weaker students do better on it than stronger ones, which "
    "is worth a look at its checks; with fewer than about 30 students, read it as a hint."
)

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; } .who { color: #555; font-size: .92em; display: inline-block; min-width: 6em; }
.problem { background: #fff4e5; border-left: 4px solid #e8a33d; padding: .6em 1em; margin: 1em 0; }
.private { background: #fdecea; border-left: 4px solid #c44e52; padding: .6em 1em; margin: 1em 0; }
.shared { background: #eaf4ea; border-left: 4px solid #55a868; padding: .6em 1em; margin: 1em 0; }
table { border-collapse: collapse; margin: .6em 0; } th, td { padding: .3em .6em; vertical-align: top; }
th { text-align: left; border-bottom: 2px solid #ccc; } td { border-bottom: 1px solid #eee; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.help { color: #444; max-width: 60em; } img.plot { display: block; max-width: 100%; margin: .5em 0; }
.right { color: #2e7d32; font-weight: 600; } .none { color: #777; font-style: italic; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(share: float | None) -> str:
    return "&ndash;" if share is None else f"{100 * share:.0f}%"


def _pts(points: float | None) -> str:
    return "&ndash;" if points is None else f"{points:.1f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table of already escaped cells; columns in ``numeric`` right-aligned."""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{h}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plot(uri: str, alt: str) -> str:
    return f'<img class="plot" src="{uri}" alt="{_e(alt)}">'


def _people(students: Iterable[str], names: Names) -> str:
    return _e(", ".join(names(s) for s in students))


def to_html(stats: ClassStatistics, names: Names, *, source: str) -> str:
    sections = [
        _header(stats, names, source),
        *(f'<div class="problem">{_e(p)}</div>' for p in stats.problems),
    ]
    if stats.students:
        parts = [
            _scores(stats),
            _mistakes(stats, names),
            _items(stats),
            _checks(stats, names),
            _training(stats, names),
            _questions(stats, names),
            _ungraded(stats, names),
            _times(stats, names),
        ]
        sections += [f"<section>{part}</section>" for part in parts]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>two_layer_net: class report</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _header(stats: ClassStatistics, names: Names, source: str) -> str:
    audience = (
        '<div class="shared">Anonymised for the course staff: students are numbered in a random order, and '
        "names are taken out of reasons, notes and comments.</div>"
        if names.anonymous
        else '<div class="private">For instructors only: it names students beside their mistakes. To share it '
        "with the course staff, make it with <code>--anonymous</code>.</div>"
    )
    graded, total = len(stats.graded), len(stats.students)
    return (
        "<h1>two_layer_net: class report</h1>"
        f'<p class="meta">{graded} of {total} submissions graded'
        f"{f', on {_e(stats.dataset)}' if stats.dataset else ''}; from <code>{_e(names.scrub(source))}</code>.</p>"
        + audience
    )


def _scores(stats: ClassStatistics) -> str:
    out = ['<h2 id="scores">Scores</h2>']
    s = stats.score_summary
    if s is None:
        return out[0] + '<p class="none">No submission was graded.</p>'
    out.append(
        f"<p>Autograded points of {stats.max_score:g}: mean {s.mean:.1f}, median {s.median:g}, "
        f"lowest {s.minimum:g}, highest {s.maximum:g} ({s.n} graded).</p>"
    )
    if s.n > 1:
        values = list(stats.scores.values())
        out.append(_plot(plots.histogram(values, xlabel="autograded points", low=0, high=stats.max_score), "scores"))
    if stats.totals:
        total = stats.max_score + sum(i.max_points for i in stats.items if i.by_hand)
        t = summary(stats.totals.values())
        out.append(
            f"<p>With the points graded by hand ({t.n} submissions graded by hand on every item), of "
            f"{total:g}: mean {t.mean:.1f}, median {t.median:g}, lowest {t.minimum:g}, highest {t.maximum:g}.</p>"
        )
        if t.n > 1:
            values = list(stats.totals.values())
            xlabel = "points with those graded by hand"
            out.append(_plot(plots.histogram(values, xlabel=xlabel, low=0, high=total), "totals"))
    return "".join(out)


def _mistakes(stats: ClassStatistics, names: Names) -> str:
    out = [
        '<h2 id="mistakes">Known mistakes, most common first</h2>',
        "<p class=help>Mistakes the grader recognised in a wrong answer, each with the hint the students got: "
        "what to re-teach first.</p>",
    ]
    if not stats.mistakes:
        return "".join(out) + '<p class="none">No known mistake was recognised.</p>'
    graded = len(stats.graded)
    rows = [
        (
            f"{len(m.students)}",
            _pct(len(m.students) / graded),
            _e(m.hint),
            _e(", ".join(m.items)),
            f'<span class="who">{_people(m.students, names)}</span>',
        )
        for m in stats.mistakes
    ]
    return "".join(out) + _table(("students", "of graded", "hint", "items", "who"), rows, numeric=(0, 1))


def _discrimination(item: ItemStats) -> str:
    if item.discrimination is None:
        return f'<span class="none" title="{_e(item.why_no_discrimination)}">&ndash;</span>'
    return f"{item.discrimination:+.2f}"


def _items(stats: ClassStatistics) -> str:
    rows = []
    for i in stats.items:
        hand = " (by hand)" if i.by_hand else ""
        not_done = "" if i.by_hand else _pct(i.not_done / i.graded if i.graded else None)
        rows.append(
            (
                _e(i.item) + hand,
                f"{i.max_points:g}",
                _pts(i.mean),
                _pct(i.full_marks),
                not_done,
                _pct(i.ungraded),
                _discrimination(i),
            )
        )
    header = ("item", "points", "mean", "full marks", "not done", "ungraded", "discrimination")
    note = ""
    if not stats.hand and any(i.by_hand for i in stats.items):
        note = (
            "<p class=help>The items graded by hand show as ungraded: give the course's gradebook "
            "(<code>--gradebook gradebook.db</code>) to show the points given in formgrader.</p>"
        )
    return (
        '<h2 id="items">Items</h2>'
        + _table(header, rows, numeric=(1, 2, 3, 4, 5, 6))
        + f"<p class=help>{_e(DISCRIMINATION_HELP)}</p>"
        + note
        + _plot(
            plots.shares(
                [i.item for i in stats.items if i.full_marks is not None],
                [i.full_marks for i in stats.items if i.full_marks is not None],
                xlabel="share with full marks",
            ),
            "share with full marks per item",
        )
    )


def _checks(stats: ClassStatistics, names: Names) -> str:
    ranked = stats.ranked_checks()
    out = ['<h2 id="checks">Checks, most often failed first</h2>']
    if not ranked:
        return out[0] + '<p class="none">No check failed.</p>'
    header = ("failed", "students", "cell", "check", "what it said most often")
    rows = [
        (_pct(c.failure_rate), f"{len(c.failing)} / {c.ran}", _e(c.grade_id), _e(c.check), _e(names.scrub(c.message)))
        for c in ranked
    ]
    out.append(_table(header, rows[:TOP_CHECKS], numeric=(0, 1)))
    if rows[TOP_CHECKS:]:
        out.append(
            f"<details><summary>{len(rows) - TOP_CHECKS} more checks failed at least once</summary>"
            + _table(header, rows[TOP_CHECKS:], numeric=(0, 1))
            + "</details>"
        )
    never = len(stats.checks) - len(ranked)
    out.append(
        "<p class=help>The rate is among the students the check ran for; an item that could not be checked at "
        f"all shows as a check of its own. {never} other checks never failed. The CSV has every check for every "
        "student.</p>"
    )
    return "".join(out)


def _training(stats: ClassStatistics, names: Names) -> str:
    out = ['<h2 id="training">Training: validation accuracies</h2>']
    for acc in stats.accuracies:
        label = ITEMS_BY_NAME[acc.item].model
        out.append(f"<h3>{_e(acc.item)} (<code>{_e(label)}</code>)</h3>")
        values = list(acc.values.values())
        if not values:
            out.append('<p class="none">No trained model was evaluated.</p>')
        else:
            line = f"{len(acc.below)} of {len(values)} below the threshold {acc.threshold:g}" if acc.threshold else ""
            near = f"; {len(acc.near)} within {NEAR:g} of it ({_people(acc.near, names)})" if acc.near else ""
            out.append(f"<p>{line}{near}.</p>")
            out.append(
                _plot(
                    plots.histogram(
                        values,
                        xlabel="validation accuracy",
                        low=_low(values, acc.threshold),
                        high=1,
                        threshold=acc.threshold,
                    ),
                    f"validation accuracies of {acc.item}",
                )
            )
        if acc.missing:
            rows = [(_e(names(s)), _e(names.scrub(why))) for s, why in acc.missing.items()]
            out.append("<p>No accuracy:</p>" + _table(("student", "why"), rows))
    return "".join(out)


def _low(values: list[float], threshold: float | None) -> float:
    """Where the accuracy axis starts: low enough to show the lowest value and the threshold."""
    lowest = min([*values, *([threshold] if threshold is not None else [])])
    return max(0.0, round(lowest - 0.05, 1))


def _questions(stats: ClassStatistics, names: Names) -> str:
    out = ['<h2 id="questions">Inline questions</h2>']
    for choice in stats.choices:
        out.append(f"<h3>{_e(choice.question)}</h3>")
        rows = [
            (
                "{"
                + ", ".join(map(str, chosen))
                + "}"
                + (' <span class="right">accepted</span>' if chosen == choice.right else ""),
                f"{count}",
                f'<span class="who">{_people([s for s, c in choice.chosen.items() if c == chosen], names)}</span>',
            )
            for chosen, count in choice.counts()
        ]
        out.append(_table(("options chosen", "students", "who"), rows, numeric=(1,)) if rows else "")
        if choice.unknown:
            out.append(f"<p>No valid set of options: {_people(choice.unknown, names)}.</p>")
        question = choice.question.removesuffix("_choices")
        out.append(_hand_graded(stats, question, names))
    return "".join(out)


def _hand_graded(stats: ClassStatistics, item: str, names: Names) -> str:
    if not stats.hand:
        return ""
    rows = []
    for student in stats.students:
        grade = stats.hand.get(student, {}).get(item)
        if grade is None:
            continue
        points = f"{grade.points:g} / {grade.max_points:g}" if grade.graded else '<span class="none">not yet</span>'
        rows.append((_e(names(student)), points, _e(names.scrub(grade.comment))))
    if not rows:
        return f'<p class="none">No hand grade of {_e(item)} in the gradebook.</p>'
    return f"<h4>{_e(item)}: graded by hand</h4>" + _table(("student", "points", "comment"), rows, numeric=(1,))


def _ungraded(stats: ClassStatistics, names: Names) -> str:
    out = ['<h2 id="ungraded">Ungraded submissions</h2>']
    if not stats.ungraded:
        return out[0] + '<p class="none">Every submission was graded.</p>'
    rows = [(_e(names(s)), _e(names.scrub(reason))) for s, reason in stats.ungraded.items()]
    return (
        out[0]
        + "<p class=help>Never counted as 0: grade them again once fixed.</p>"
        + _table(("student", "reason"), rows)
    )


def _times(stats: ClassStatistics, names: Names) -> str:
    out = ['<h2 id="times">Grading time</h2>']
    seconds = stats.seconds
    t = summary(seconds.values())
    out.append(
        f"<p>{t.n} submissions: mean {t.mean:.1f} s, median {t.median:.1f} s, longest {t.maximum:.1f} s "
        f"({t.mean * t.n:.0f} s of grading in all).</p>"
    )
    if len(seconds) > 1:
        out.append(
            _plot(
                plots.histogram(
                    list(seconds.values()), xlabel="seconds per submission", low=0, high=max(seconds.values())
                ),
                "grading times",
            )
        )
    training = [i for i in ITEMS_BY_NAME.values() if i.threshold]
    rows = [
        (
            _e(names(s)),
            f"{t:.1f}",
            *(_pts(stats.training_seconds.get(s, {}).get(i.name)) for i in training),
        )
        for s, t in sorted(seconds.items(), key=lambda kv: -kv[1])
    ]
    header = ("student", "seconds", *(f"{i.name} cell (s)" for i in training))
    return "".join(out) + _table(header, rows, numeric=tuple(range(1, len(header))))
