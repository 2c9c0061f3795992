"""python -m benchmarks: training and grading against the alternatives, measured in one run.

    python -m benchmarks                      # everything (about 15 minutes on 2 cores)
    python -m benchmarks --quick              # a smoke run (1 epoch, 6 submissions; about 3 minutes)
    python -m benchmarks --only training      # one part (or several, with commas): training, grading,
                                              # student, similarity, worst_case, cluster, contention,
                                              # notebook_cost, stand_ins
    python -m benchmarks --output results.json --cifar10-dir /path/to/cifar10

Prints markdown tables (docs/benchmarks.md shows them) and writes every number, with the
machine's description, to benchmarks/results.json (or --output). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from .common import REPO, Stopwatch, code_state, f, find_cifar10, loadavg, log, machine, pct, table

SECTIONS = (
    "training",
    "grading",
    "student",
    "similarity",
    "worst_case",
    "cluster",
    "contention",
    "notebook_cost",
    "stand_ins",
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help="a smoke run: 1 epoch, 1 repeat, 6 submissions, no CIFAR-10 notebook"
    )
    p.add_argument("--output", "-o", default=str(REPO / "benchmarks" / "results.json"), help="the JSON file to write")
    p.add_argument("--cifar10-dir", help="CIFAR-10 (else $CIFAR10_DIR, data/, or built from ../shared)")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated parts to run ({', '.join(SECTIONS)})")
    p.add_argument("--repeats", type=int, help="runs of each training benchmark, best is shown (default 3, quick 1)")
    p.add_argument("--submissions", type=int, help="submissions in the graded class (default 20, quick 6)")
    p.add_argument("--jobs", type=int, default=2, help="python -m autograder grade --jobs (default 2)")
    p.add_argument(
        "--class-size",
        type=int,
        help="notebooks in the similarity benchmark's synthetic class (default 600, quick 60)",
    )
    p.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader autograde")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch baseline")
    p.add_argument("--baseline", metavar="REV", help="also grade the class with the grader of git commit REV")
    p.add_argument("--skip-digits-grading", action="store_true", help="with --cifar10-grading: grade on CIFAR-10 only")
    p.add_argument("--render", metavar="JSON", help="print the tables of a results file, measure nothing")
    p.add_argument(
        "--contention-repeats",
        type=int,
        default=1,
        help="runs of each contention measurement, median shown (default 1)",
    )
    p.add_argument(
        "--contention-workloads",
        default="digits,cifar10,student",
        help="what the contention benchmark runs beside its competitors (default: digits,cifar10,student)",
    )
    p.add_argument(
        "--cifar10-grading",
        type=int,
        default=0,
        metavar="N",
        help="also grade the first N submissions on CIFAR-10 with both graders (default 0: "
        "each one trains the notebook's CIFAR-10 search, minutes per notebook)",
    )
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(SECTIONS)}")
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.submissions = args.submissions or (6 if args.quick else 20)
    args.class_size = args.class_size or (60 if args.quick else 600)
    return args


# --------------------------------------------------------------------------------------------
# Tables


NAMES = {
    "solver": "course Solver + reference layers (float32)",
    "numpy_float32": "hand-written numpy loop, float32",
    "loop_with_model": "hand-written loop training the reference TwoLayerNet (no Solver)",
    "torch": "PyTorch CPU, float32, 2 threads",
    "numpy_float64": "hand-written numpy loop, float64",
    "torch_1_thread": "PyTorch CPU, float32, 1 thread (extra)",
    "torch_passive": "PyTorch CPU, float32, 2 threads, OMP_WAIT_POLICY=PASSIVE (extra)",
    "solver_with_dx": "before: Solver + the reference as it was (layer 1's unused dX computed)",
}


def training_tables(t: dict[str, Any]) -> str:
    if "skipped" in t:
        return f"Training: skipped: {t['skipped']}\n"
    out = [
        (
            f"### Training on CIFAR-10 ({t['num_train']:,} training images; best of the runs; "
            f"sgemm peak {t['peak_sgemm_gflops']:.0f} GFLOP/s on 1024x1024)"
        ),
        "",
    ]
    rows = []
    for entry in t["configs"]:
        cfg, bound = entry["config"], entry["bound"]
        label = (
            f"{cfg['name']}: hidden {cfg['hidden_dim']}, lr {cfg['learning_rate']:g}, reg {cfg['reg']:g}, "
            f"{cfg['num_epochs']} epochs, batch {cfg['batch_size']}"
        )
        for name, r in entry["results"].items():
            if r is None:
                rows.append([label, NAMES.get(name, name), t.get("torch") or "not run", "", "", "", "", ""])
                continue
            rows.append(
                [
                    label,
                    NAMES.get(name, name),
                    f(r["best"]),
                    f(r["median"]),
                    f"{r['images_per_s']:,.0f}",
                    f(r["val_acc"], 3),
                    pct(r["fraction_of_bound"]),
                    f(r.get("cores_used"), 1),
                ]
            )
        rows.append(
            [
                label,
                f"sgemm bound ({bound['flops'] / 1e9:.0f} GFLOP at {bound['rate_gflops']:.0f} GFLOP/s)",
                f(bound["time_bound"]),
                "",
                f"{entry['images'] / bound['time_bound']:,.0f}",
                "",
                "100%",
                "",
            ]
        )
    out.append(
        table(
            [
                "configuration",
                "implementation",
                "seconds",
                "median s",
                "images/s",
                "val acc",
                "bound/actual",
                "cores used",
            ],
            rows,
        )
    )
    out.append("")
    st = t.get("single_thread")
    if st:
        b = st["bound"]
        out += [
            (
                f"One thread, CPU seconds (robust to the load of a shared machine; {st['config']['name']} "
                f"configuration; sgemm bound {b['time_bound']:.2f} s at {b['rate_gflops']:.0f} GFLOP/s):"
            ),
            "",
        ]
        out.append(
            table(
                ["implementation", "CPU s (best)", "CPU s (median)", "wall s (best)", "bound/actual"],
                [
                    [
                        NAMES.get(k, k).replace(", 2 threads", "").replace(", 1 thread (extra)", ""),
                        f(r["cpu_seconds"]["best"]),
                        f(r["cpu_seconds"]["median"]),
                        f(r["wall_seconds"]["best"]),
                        pct(r["fraction_of_bound"]),
                    ]
                    for k, r in st["results"].items()
                ],
            )
        )
        out.append("")
    pr = t.get("paired")
    if pr and pr.get("results"):
        res = pr["results"]
        out += [
            (
                f"Solver against PyTorch, 2 threads each, in alternating child processes ({pr['config']['name']} "
                "configuration; each pair ran at the same load):"
            ),
            "",
        ]
        out.append(
            table(
                ["implementation", "seconds (best)", "seconds (median)", "cores used per run", "val acc"],
                [
                    [
                        NAMES.get(k, k),
                        f(r["seconds"]["best"]),
                        f(r["seconds"]["median"]),
                        ", ".join(f"{c:.1f}" for c in r["cores_used"]),
                        f(r["val_acc"], 3),
                    ]
                    for k, r in res.items()
                ],
            )
        )
        ratios = pr.get("solver_over_torch") or []
        if ratios:
            out += ["", f"Solver time / PyTorch time, pair by pair: {', '.join(f'{x:.2f}' for x in ratios)}"]
        out.append("")
    out += solver_against_loop(t)
    for entry in t["configs"]:
        res = entry["results"]
        s, tor = res.get("solver"), res.get("torch")
        verdict = []
        paired = (t.get("paired") or {}).get("solver_over_torch")
        if entry["config"]["name"] == "exercise" and paired:
            ratio = sorted(paired)[len(paired) // 2]
            verdict.append(
                f"Solver {'faster' if ratio < 1 else 'SLOWER'} than PyTorch in the paired runs "
                f"(median ratio {ratio:.2f})"
            )
        elif s and tor:
            verdict.append(
                f"Solver {'faster' if s['best'] < tor['best'] else 'SLOWER'} than PyTorch "
                f"({s['best']:.2f} s vs {tor['best']:.2f} s, not at the same moment)"
            )
        if s:
            verdict.append(
                f"Solver at {pct(s['fraction_of_bound'])} of the sgemm bound "
                f"({'meets' if s['fraction_of_bound'] >= 0.7 else 'misses'} the 70% target)"
            )
        out.append(f"- {entry['config']['name']}: " + "; ".join(verdict))
    p = t.get("profile")
    if p:
        out += [
            "",
            f"### Where the Solver's time goes ({p['config']} configuration, one run of {p['seconds']:.2f} s)",
            "",
        ]
        out.append(
            table(
                ["phase", "seconds", "share"],
                [[k, f(v, 3), pct(v / p["seconds"])] for k, v in p["phases"].items() if abs(v) >= 0.0005],
            )
        )
    return "\n".join(out) + "\n"


def solver_against_loop(t: dict[str, Any]) -> list[str]:
    """The course Solver's time over the loops', run by run (they alternate, so that each pair sees
    the same load), on every configuration and with one thread (issue 24: within 5%)."""
    lines = []
    runs = [(e["config"]["name"] + ", 2 threads, wall", e.get("ratios")) for e in t["configs"]]
    runs.append(("exercise, 1 thread, CPU", (t.get("single_thread") or {}).get("ratios")))
    for label, by_loop in runs:
        for loop, ratios in (by_loop or {}).items():
            if ratios:
                median = sorted(ratios)[len(ratios) // 2]
                lines.append(
                    f"- Solver / {NAMES[loop]} ({label}): {', '.join(f'{x:.3f}' for x in ratios)} run by run, "
                    f"median {median:.3f} ({'within' if median <= 1.05 else 'NOT within'} 5%)"
                )
    return lines + [""] if lines else []


def grading_tables(g: dict[str, Any]) -> str:
    n = len(g["submissions"])
    out = [f"### Grading {n} submissions on {g['dataset']}", ""]
    rows = []
    for tool, label in (
        ("autograder", f"python -m autograder grade --jobs {g.get('autograder', {}).get('jobs', '')}"),
        ("nbgrader", "nbgrader autograde"),
        ("baseline", f"the grader of commit {g.get('baseline', {}).get('rev', '')}, the same command"),
    ):
        r = g.get(tool)
        if not r:
            continue
        per = list(r.get("per_submission_seconds", {}).values())
        rows.append(
            [
                label,
                f(r.get("seconds"), 1),
                f(r.get("seconds_per_submission"), 1),
                f(r.get("submissions_per_minute"), 1),
                f"{min(per):.1f} / {sorted(per)[len(per) // 2]:.1f} / {max(per):.1f}" if per else "",
                r.get("error", "")[:80] if r.get("error") else "",
            ]
        )
    out.append(
        table(
            ["grader", "total s", "s per submission", "submissions/min", "one submission min/median/max s", "error"],
            rows,
        )
    )
    comp = g.get("comparison")
    if comp:
        agree = sum(c["agree"] for c in comp)
        out += ["", f"Verdicts (autograded points out of 92): {agree} of {len(comp)} submissions agree.", ""]
        out.append(
            table(
                ["submission", "autograder", "nbgrader", "differences"],
                [
                    [
                        c["description"],
                        f(c["autograder"], 0) if c["autograder"] is not None else "ungraded",
                        f(c["nbgrader"], 0) if c["nbgrader"] is not None else "ungraded",
                        "; ".join(f"{k}: {v['autograder']} vs {v['nbgrader']}" for k, v in c["differences"].items()),
                    ]
                    for c in comp
                ],
            )
        )
    nb = g.get("nbgrader", {})
    ch = nb.get("check_hidden")
    if ch:
        ex = ch.get("example") or {}
        out += [
            "",
            (
                f"check_hidden under nbgrader autograde: {ch['count']} hidden-check processes seen, the notebook "
                f"was at cwd/two_layer_net.ipynb for {ch['notebook_found']} and missing for "
                f"{ch['notebook_missing']}; {ch['seconds_total']:.0f} s in all."
            ),
            f"  e.g. kernel cwd {ex.get('kernel_cwd')}, files there {ex.get('kernel_cwd_files')}",
        ]
    p = g.get("phase_profile")
    if p:
        out += [
            "",
            (
                f"### Where the grader's time goes (the solution on {p['dataset']}, in-process, "
                f"{p['seconds']:.2f} s, {p['score']:.0f}/{p['max_score']:.0f})"
            ),
            "",
        ]
        out.append(
            table(["phase", "seconds", "share"], [[k, f(v, 3), pct(v / p["seconds"])] for k, v in p["phases"].items()])
        )
    fx = g.get("fixes")
    if fx:
        out += ["", "The grader fixes, before and after (measured here):", ""]
        rows = [
            [
                "closing a worker: quit and wait vs kill at once",
                f(fx["worker_quit_seconds"]["best"], 3),
                f(fx["worker_close_seconds"]["best"], 3),
            ],
            [
                f"{len(fx['hidden_check_items'])} hidden checks: one process each vs one for all (--json)",
                f(fx["hidden_checks_separate_seconds"], 2),
                f(fx["hidden_checks_one_process_seconds"], 2),
            ],
        ]
        for name in ("digits", "cifar10"):
            if f"load_dataset_{name}_warm_seconds" in fx:
                rows.append(
                    [
                        f"load_dataset('{name}') per submission vs once per process",
                        f(fx[f"load_dataset_{name}_warm_seconds"], 3),
                        "0",
                    ]
                )
        out.append(table(["what", "before s", "now s"], rows))
    st = g.get("startup")
    if st:
        out += ["", "Start-up costs (best of 3):", ""]
        out.append(table(["what", "seconds"], [[k, f(v, 3)] for k, v in st.items()]))
    return "\n".join(out) + "\n"


def student_tables(s: dict[str, Any]) -> str:
    out = ["### The student's loop", ""]

    def ms(v: float) -> str:
        return f"{1000 * v:.1f}"

    rows = [
        [
            item,
            ms(e["self_check_first"]),
            ms(e["self_check"]["best"]),
            ms(e["self_check"]["median"]),
            ms(e["check_cell"]["best"]) if "check_cell" in e else "",
        ]
        for item, e in s["check_cells"].items()
    ]
    out.append(
        table(
            [
                "item",
                "self_check, first call (ms)",
                "self_check, best (ms)",
                "self_check, median (ms)",
                "whole check cell, best (ms)",
            ],
            rows,
        )
    )
    out.append("")
    rows = []
    for ds, r in s.get("notebook", {}).items():
        slow = ", ".join(f"{k} {v:.1f}" for k, v in list(r["slowest_cells"].items())[:4])
        rows.append([ds, f(r["seconds"], 1), f(r["kernel_and_overhead_seconds"], 1), slow, r.get("error") or ""])
    out.append(table(["dataset", "whole notebook s", "kernel start + overhead s", "slowest cells (s)", "error"], rows))
    return "\n".join(out) + "\n"


def render(results: dict[str, Any]) -> str:
    parts = []
    if "training" in results:
        parts.append(training_tables(results["training"]))
    for g in results.get("grading", {}).values():
        parts.append(grading_tables(g))
    if "student" in results:
        parts.append(student_tables(results["student"]))
    if "similarity" in results:
        from .similarity import tables as similarity_tables

        parts.append(similarity_tables(results["similarity"]))
    if "worst_case" in results:
        from .worst_case import tables

        parts.append(tables(results["worst_case"]))
    if "cluster" in results:
        from .cluster import tables as cluster_tables

        parts.append(cluster_tables(results["cluster"]))
    if "contention" in results:
        from .contention import tables as contention_tables

        parts.append(contention_tables(results["contention"]))
    if "notebook_cost" in results:
        from .notebook_cost import tables as cost_tables

        parts.append(cost_tables(results["notebook_cost"]))
    if "stand_ins" in results:
        from .stand_ins import tables as stand_in_tables

        parts.append(stand_in_tables(results["stand_ins"]))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0
    started = Stopwatch()
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    results: dict[str, Any] = {
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "quick": args.quick,
        "repeats": args.repeats,
        "machine": machine(),
        "code": code_state(),
    }
    if set(args.sections) - {"similarity", "stand_ins"}:
        cifar10_dir, origin = find_cifar10(args.cifar10_dir)
    else:  # the similarity and stand-ins benchmarks need no dataset
        cifar10_dir, origin = None, f"not needed by --only {args.only}"
    results["cifar10"] = {"dir": str(cifar10_dir) if cifar10_dir else None, "origin": origin}
    if cifar10_dir is None and set(args.sections) - {"similarity", "stand_ins"}:
        print(f"CIFAR-10 benchmarks skipped: {origin}")
    output = Path(args.output)

    def save() -> None:
        results["loadavg_at_end"] = loadavg()
        results["code_at_end"] = code_state()
        results["seconds"] = started.elapsed()
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1, default=str) + "\n")

    if "training" in args.sections:
        if cifar10_dir is None:
            results["training"] = {"skipped": origin}
        else:
            from twolayer.data import load_dataset

            from . import training

            log(f"loading CIFAR-10 from {cifar10_dir}")
            with Stopwatch() as sw:
                data = load_dataset("cifar10", cifar10_dir=cifar10_dir)
            results["training"] = training.benchmark(
                data, quick=args.quick, repeats=args.repeats, with_torch=not args.no_torch, cifar10_dir=str(cifar10_dir)
            )
            results["training"]["load_dataset_seconds"] = sw.seconds
            del data
        print(training_tables(results["training"]), flush=True)
        save()
    if "grading" in args.sections:
        from . import grading

        results["grading"] = {}
        if not args.skip_digits_grading:
            results["grading"]["digits"] = grading.benchmark(
                count=args.submissions,
                jobs=args.jobs,
                dataset="digits",
                cifar10_dir=None,
                with_nbgrader=not args.no_nbgrader,
                cifar10_dir_for_fixes=cifar10_dir,
                baseline=args.baseline,
            )
            print(grading_tables(results["grading"]["digits"]), flush=True)
            save()
        if args.cifar10_grading and cifar10_dir is not None:
            results["grading"]["cifar10"] = grading.benchmark(
                count=args.cifar10_grading,
                jobs=args.jobs,
                dataset="cifar10",
                cifar10_dir=cifar10_dir,
                with_nbgrader=not args.no_nbgrader,
            )
            print(grading_tables(results["grading"]["cifar10"]), flush=True)
            save()
    if "student" in args.sections:
        from . import student

        results["student"] = student.benchmark(cifar10_dir=cifar10_dir, quick=args.quick, repeats=args.repeats)
        print(student_tables(results["student"]), flush=True)
        save()
    if "similarity" in args.sections:
        from . import similarity

        results["similarity"] = similarity.benchmark(count=args.class_size, jobs=args.jobs)
        print(similarity.tables(results["similarity"]), flush=True)
        save()
    if "worst_case" in args.sections:
        from . import worst_case

        results["worst_case"] = worst_case.benchmark(count=args.submissions, jobs=args.jobs)
        print(worst_case.tables(results["worst_case"]), flush=True)
    if "cluster" in args.sections:
        from . import cluster

        results["cluster"] = cluster.benchmark(count=args.submissions, cifar10_dir=cifar10_dir)
        print(cluster.tables(results["cluster"]), flush=True)
        save()
    if "contention" in args.sections:
        from . import contention

        results["contention"] = contention.benchmark(
            cifar10_dir,
            repeats=args.contention_repeats,
            submissions=min(args.submissions, 10),
            workloads=tuple(args.contention_workloads.split(",")),
        )
        print(contention.tables(results["contention"]), flush=True)
        save()
    if "notebook_cost" in args.sections and cifar10_dir is not None:
        from . import notebook_cost

        results["notebook_cost"] = notebook_cost.benchmark(cifar10_dir)
        print(notebook_cost.tables(results["notebook_cost"]), flush=True)
        save()
    if "stand_ins" in args.sections:
        from . import stand_ins

        results["stand_ins"] = stand_ins.benchmark(quick=args.quick)
        print(stand_ins.tables(results["stand_ins"]), flush=True)
        save()
    m = results["machine"]
    blas = m["blas"][0] if isinstance(m.get("blas"), list) and m["blas"] else {}
    print(
        f"Machine: {m['nproc']} x {m['cpu_model']}, numpy {m['numpy']} ({blas.get('internal_api')} "
        f"{blas.get('version')} {blas.get('architecture')}, {blas.get('num_threads')} threads), "
        f"torch {m.get('torch')}, "
        f"OPENBLAS_CORETYPE={m.get('OPENBLAS_CORETYPE') or 'unset'}, load average {m['loadavg_at_start']} -> "
        f"{loadavg()}"
    )
    save()
    print(f"Wrote {output} ({results['seconds']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
