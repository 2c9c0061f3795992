"""The similarity report at a class's scale: ``python -m autograder similarity`` on a synthetic
class of 600 notebooks (about 180,000 pairs) on 2 cores, against the alternatives in the same
run: copydetect 0.5.0's all-pairs comparison (on a subset, extrapolated by pairs) and this
engine's own scores computed pair by pair without the inverted index.

The class is built from the labelled calibration set (tests/files/similarity) and the correct
variants of tests/corpus.py: every student takes, for each answer cell, one of the independent
answers of the set (or a corpus variant, or the reference for the cells the set has none for)
and writes a few statements of their own into it, so that no two honest students are the same
program; ``copies`` of them (5%) are another student's notebook disguised (names renamed,
comments rewritten, blank lines and a dead statement added, two functions swapped where a cell
has two). The benchmark reports how many of those planted copies the report flags.

Every student also writes the two inline questions' answers: thirty words drawn at random from
the release notebook's own text (so that no two honest answers share a phrase by design), which a
copy hands in with its sentences' case changed. The comparison of written answers is then part
of the measured work.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from autograder.course.items import CODE_ITEMS, MANUAL_ITEMS

from .common import PYTHON, REPO, Stopwatch, corpus, f, loadavg, log, table

OPS = ("+", "-", "*", "/", "//", "%", "**", "@")


def _noise(rng: random.Random) -> str:
    """A statement a student adds of their own (a check, a debug value): a random expression."""
    terms = []
    for _ in range(rng.randint(2, 5)):
        term = rng.choice(("x", "n", "1", "2.0", "s.shape[0]", "len(t)", "v.T", "np.sum(q)", "(a - 1)"))
        terms.append(term + rng.choice(("", "", "[0]", ".mean()", "[:, None]")))
    expr = terms[0]
    for term in terms[1:]:
        expr = f"{expr} {rng.choice(OPS)} {term}"
    return rng.choice(("_check = ", "dbg = ", "assert ", "print(")) + expr


def _personalise(source: str, rng: random.Random) -> str:
    """``source`` with a statement of the student's own after some of its code lines."""
    out = []
    lines = source.splitlines()
    for n, line in enumerate(lines):
        out.append(line)
        stripped = line.strip()
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        indent = len(line) - len(line.lstrip())
        simple = (
            stripped
            and not stripped.startswith(("#", '"', "'", "def ", "class ", "return", "@", "-"))
            and not stripped.endswith((":", ",", "(", "[", "{", "\\"))
            and line.count("(") == line.count(")")
            and line.count("[") == line.count("]")
            and (len(nxt) - len(nxt.lstrip()) <= indent or not nxt.strip())
            and indent > 0
        )
        for _ in range(rng.choice((0, 1, 1, 2)) if simple else 0):
            statement = _noise(rng)
            out.append(" " * indent + statement + (")" if statement.startswith("print(") else ""))
    return "\n".join(out) + "\n"


def _disguise(source: str, rng: random.Random) -> str:
    """A copy the way students disguise one: names renamed, comments rewritten, blank lines and
    a dead statement added."""
    names = sorted(set(re.findall(r"^\s*([a-z_]\w*)\s*=[^=]", source, re.M)) - {"out", "cache", "dx", "loss"})
    for name in names:
        source = re.sub(rf"\b{re.escape(name)}\b", f"{name}_{rng.randint(10, 99)}", source)
    source = re.sub(r"#[^\n]*", lambda m: "# " + "".join(reversed(m.group()[1:])), source)
    lines = source.splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.strip() and rng.random() < 0.2:
            out.append("")
    for n in range(len(out) - 1, 0, -1):
        if out[n].startswith("    ") and out[n].strip() and not out[n].rstrip().endswith((":", ",", "(")):
            out.insert(n + 1, out[n][: len(out[n]) - len(out[n].lstrip())] + "unused_total = 0")
            break
    return "\n".join(out) + "\n"


def _vocabulary() -> list[str]:
    """The distinct words of the release notebook's text (its markdown cells)."""
    from autograder.similarity.boilerplate import release_text

    return sorted({w.lower() for text in release_text() for w in re.findall(r"[A-Za-z]{3,}", text)})


def _written(rng: random.Random, vocabulary: list[str]) -> dict[str, str]:
    """A student's own written answers: thirty random words each, in sentences of six."""
    out = {}
    for item in MANUAL_ITEMS:
        words = rng.sample(vocabulary, 30)
        out[item] = ". ".join(" ".join(words[i : i + 6]).capitalize() for i in range(0, 30, 6)) + "."
    return out


def answer_pool() -> dict[str, list[str]]:
    """Every correct answer known for each code item: the labelled set's independent answers,
    the corpus's correct variants and the reference."""
    c = corpus()
    import corpus_similarity as cs

    pool: dict[str, list[str]] = {item: [c.ANSWERS[item]] for item in CODE_ITEMS}
    for variant in c.CORRECT.values():
        for item, source in variant.items():
            if item in pool:
                pool[item].append(source)
    for item in cs.items():
        if item in pool:
            pool[item] += [cs.text(rel) for rel in cs.independent(item)]
    return pool


def write_class(folder: Path, count: int, copy_share: float = 0.05, seed: int = 15) -> list[tuple[str, str]]:
    """``count`` notebooks under ``folder`` (nbgrader's layout); returns the planted copies as
    (copy, original) student pairs."""
    c = corpus()
    rng = random.Random(seed)
    pool = answer_pool()
    vocabulary = _vocabulary()
    students: dict[str, dict[str, str]] = {}
    copies = max(1, int(count * copy_share))
    for n in range(count - copies):
        students[f"s{n:04d}"] = {item: _personalise(rng.choice(answers), rng) for item, answers in pool.items()}
        students[f"s{n:04d}"].update(_written(rng, vocabulary))
    originals = rng.sample(sorted(students), copies)
    planted = []
    for n, original in enumerate(originals):
        name = f"c{n:04d}"
        students[name] = {
            item: src.lower() if item in MANUAL_ITEMS else _disguise(src, rng)
            for item, src in students[original].items()
        }
        planted.append((name, original))
    for name, answers in students.items():
        c.write_submission(folder / name / "two_layer_net" / "two_layer_net.ipynb", answers)
    return planted


def run_command(submitted: Path, workdir: Path, jobs: int) -> dict[str, Any]:
    """``python -m autograder similarity`` in a child process: wall time and the peak RSS of its
    largest process (getrusage of the children)."""
    html, csv_file = workdir / "similarity.html", workdir / "similarity.csv"
    cmd = [PYTHON, "-m", "autograder", "similarity", str(submitted), "-o", str(html), "--csv", str(csv_file)]
    cmd += ["-q", "--jobs", str(jobs)]
    script = (
        "import resource, subprocess, sys, json, time\n"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "print(json.dumps({'rc': p.returncode, 'wall': wall, 'stdout': p.stdout, 'stderr': p.stderr[-2000:],"
        " 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " 'cpu': resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime"
        " + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime}))\n"
    )
    done = subprocess.run([PYTHON, "-c", script, *cmd], capture_output=True, text=True, cwd=REPO, check=True)
    import json

    out = json.loads(done.stdout)
    flagged = set()
    if out["rc"] == 0:
        import csv

        with open(csv_file, newline="") as f:
            for row in csv.DictReader(f):
                if row["pair_flagged"] == "1":
                    flagged.add(frozenset((row["a"], row["b"])))
    return {
        "seconds": out["wall"],
        "cpu_seconds": out["cpu"],
        "peak_rss_mb": out["maxrss_kb"] / 1024,
        "returncode": out["rc"],
        "summary": out["stdout"].splitlines()[0] if out["stdout"] else out["stderr"],
        "flagged": flagged,
        "html_mb": html.stat().st_size / 1e6 if html.exists() else None,
    }


def naive_all_pairs(submitted: Path, sample: int) -> dict[str, Any]:
    """This engine's scores pair by pair (set intersections, no index) over the first ``sample``
    submissions, extrapolated to the class by pairs; checked equal to the index's scores."""
    from autograder.similarity import background
    from autograder.similarity.boilerplate import reference_kgrams
    from autograder.similarity.engine import CODE, Index, naive_scores
    from autograder.similarity.pipeline import _prepare, inputs_of, settings

    jobs = inputs_of(submitted)
    prepared = [p for p in map(_prepare, jobs[:sample]) if not hasattr(p, "reason")]
    world = background.shipped()
    index = Index(prepared, reference_kgrams(), settings(background_documents=world.size), world)
    with Stopwatch() as sw:
        naive = {(i, j): naive_scores(index, i, j) for i in range(len(prepared)) for j in range(i + 1, len(prepared))}
    mismatches = 0
    for i in range(len(prepared)):
        for row in index.row(i):
            shared, _ = naive[(row[0], row[1])]
            mismatches += int(abs(shared[:CODE].sum() - row[4]) > 1e-9)
    pairs = len(naive)
    return {
        "sample": len(prepared),
        "pairs": pairs,
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "seconds_per_pair": sw.seconds / pairs,
        "cpu_seconds_per_pair": sw.cpu_seconds / pairs,
        "mismatches_with_index": mismatches,
    }


def copydetect_all_pairs(submitted: Path, sample: int, workdir: Path) -> dict[str, Any]:
    """copydetect 0.5.0 on the first ``sample`` submissions: each notebook's answer cells as one
    ``.py`` file, the release notebook's starter cells as its boilerplate; its own tokenizer,
    winnowing and all-pairs loop (``CopyDetector.run``)."""
    try:
        from copydetect import CopyDetector
    except ImportError:
        return {"skipped": "copydetect is not installed (pip install copydetect==0.5.0)"}
    from autograder.similarity.boilerplate import starter_cells
    from autograder.similarity.pipeline import inputs_of
    from autograder.similarity.sources import COMPARED, Source, label_of, read_source

    files = workdir / "copydetect"
    (files / "class").mkdir(parents=True, exist_ok=True)
    written = 0
    for path, root, known in inputs_of(submitted)[:sample]:
        source = read_source(path, label_of(path, root, known), known)
        if isinstance(source, Source):
            text = "\n\n".join(source.cells.get(item, "") for item in COMPARED)
            (files / "class" / f"{source.label}.py").write_text(text)
            written += 1
    (files / "boilerplate.py").write_text("\n\n".join(starter_cells().values()))
    detector = CopyDetector(
        test_dirs=[str(files / "class")],
        extensions=["py"],
        boilerplate_dirs=[str(files)],
        display_t=0.5,
        silent=True,
        autoopen=False,
        disable_filtering=False,
    )
    with Stopwatch() as sw:
        detector.run()
    pairs = max(1, written * (written - 1) // 2)
    return {
        "sample": written,
        "pairs": pairs,
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "seconds_per_pair": sw.seconds / pairs,
        "cpu_seconds_per_pair": sw.cpu_seconds / pairs,
    }


def benchmark(count: int = 600, jobs: int = 2, sample: int = 100) -> dict[str, Any]:
    """The class of ``count`` notebooks and a quarter and half of it; the alternatives on ``sample``."""
    scales = tuple(n for n in (count // 4, count // 2) if n >= 2)
    results: dict[str, Any] = {"count": count, "jobs": jobs, "nproc": os.cpu_count(), "loadavg_before": loadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
        root = Path(tmp)
        submitted = root / "submitted"
        log(f"similarity: writing a synthetic class of {count} notebooks")
        with Stopwatch() as sw:
            planted = write_class(submitted, count)
        results["write_class_seconds"] = sw.seconds
        results["pairs"] = count * (count - 1) // 2
        log("similarity: python -m autograder similarity on the class")
        run = run_command(submitted, root, jobs)
        flagged = run.pop("flagged")
        found = sum(frozenset(p) in flagged for p in planted)
        planted_set = {frozenset(p) for p in planted}
        results["autograder"] = {
            **run,
            "planted_copies": len(planted),
            "planted_copies_flagged": found,
            "other_pairs_flagged": len(flagged - planted_set),
        }
        results["scales"] = []
        for n in scales:
            sub = root / f"class-{n}"
            sub.mkdir()
            for student in sorted(os.listdir(submitted))[:n]:
                shutil.copytree(submitted / student, sub / student)
            r = run_command(sub, root, jobs)
            r.pop("flagged")
            results["scales"].append({"count": n, **{k: r[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}})
        results["scales"].append({"count": count, **{k: run[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}})
        results["loadavg_after"] = loadavg()
        sample = min(sample, count)
        log(f"similarity: the engine pair by pair on {sample} submissions")
        naive = naive_all_pairs(submitted, sample)
        naive["extrapolated_seconds"] = naive["seconds_per_pair"] * results["pairs"]
        naive["extrapolated_cpu_seconds"] = naive["cpu_seconds_per_pair"] * results["pairs"]
        results["naive"] = naive
        log(f"similarity: copydetect on {sample} submissions")
        cd = copydetect_all_pairs(submitted, sample, root)
        if "seconds_per_pair" in cd:
            cd["extrapolated_seconds"] = cd["seconds_per_pair"] * results["pairs"]
            cd["extrapolated_cpu_seconds"] = cd["cpu_seconds_per_pair"] * results["pairs"]
        results["copydetect"] = cd
    return results


def tables(s: dict[str, Any]) -> str:
    a = s["autograder"]
    out = [
        (
            f"### Similarity report on a synthetic class of {s['count']} notebooks ({s['pairs']:,} pairs, "
            f"--jobs {s['jobs']}, {s['nproc']} cores; load average {s.get('loadavg_before')} before)"
        ),
        "",
    ]
    rows = [
        [
            "python -m autograder similarity (inverted index)",
            f(a["seconds"], 1),
            f(a.get("cpu_seconds"), 1),
            f(a["peak_rss_mb"], 0),
            "measured",
        ]
    ]
    n = s.get("naive") or {}
    if n:
        rows.append(
            [
                f"the same scores pair by pair, no index (on {n['sample']} notebooks)",
                f(n["extrapolated_seconds"], 1),
                f(n.get("extrapolated_cpu_seconds"), 1),
                "",
                f"{n['pairs']:,} pairs in {n['seconds']:.1f} s, extrapolated; {n['mismatches_with_index']} "
                "differences with the index",
            ]
        )
    cd = s.get("copydetect") or {}
    if "skipped" in cd:
        rows.append(["copydetect 0.5.0, all pairs", "", "", "", cd["skipped"]])
    elif cd:
        rows.append(
            [
                f"copydetect 0.5.0, all pairs (on {cd['sample']} notebooks)",
                f(cd["extrapolated_seconds"], 0),
                f(cd.get("extrapolated_cpu_seconds"), 0),
                "",
                f"{cd['pairs']:,} pairs in {cd['seconds']:.1f} s, extrapolated",
            ]
        )
    out.append(table(["engine", f"seconds ({s['count']})", f"CPU s ({s['count']})", "peak RSS MB", "how"], rows))
    out += [
        "",
        "The alternatives run in one process, on a sample, extrapolated by pairs (their time is per pair);",
        "the command's CPU seconds are those of all its processes. CPU seconds are what a shared machine's",
        "load changes least.",
    ]
    out += [
        "",
        f"Planted disguised copies flagged: {a['planted_copies_flagged']} of {a['planted_copies']}; "
        f"other pairs flagged: {a['other_pairs_flagged']} (the synthetic honest students share whole "
        "answers from a pool of about ten per cell); HTML "
        f"{f(a.get('html_mb'), 1)} MB. The command said: `{a.get('summary', '')}`",
        "",
        "Time and memory as the class grows:",
        "",
        table(
            ["notebooks", "pairs", "seconds", "CPU s", "peak RSS MB"],
            [
                [
                    r["count"],
                    f"{r['count'] * (r['count'] - 1) // 2:,}",
                    f(r["seconds"], 1),
                    f(r.get("cpu_seconds"), 1),
                    f(r["peak_rss_mb"], 0),
                ]
                for r in s["scales"]
            ],
        ),
    ]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
