"""Grading a class on a Dask cluster: one task per notebook, results taken as they arrive.

:class:`ClusterGrader` is a ``classes.Grader``: ``classes.grade_many`` gives it the notebooks
left to grade and writes each result to the journal as it arrives (``--resume`` is the same
as for local grading). Faults, and what becomes of the notebook:

- a worker dies while grading it (its machine lost, ``kill -9``): the scheduler gives it to
  another worker; it arrives once, and is counted once;
- every worker that grades it dies: after the scheduler's ``allowed-failures`` + 1 tries
  (``distributed.scheduler.allowed-failures``, 3 by default) it is *ungraded*, with the reason;
- the worker's grading process is killed (not the worker): tried again, at most ``TRIES``
  times in all, then *ungraded*;
- a worker that would grade differently (:mod:`.compatibility`) never receives a notebook:
  tasks ask for a Dask resource that only the workers checked by ``GraderCheck`` hold;
- the scheduler goes away: :class:`ClusterUnavailable`; what arrived is in the journal.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from distributed import Client, Future, KilledWorker, wait
from tqdm import tqdm

from ..grading import Options
from ..results import Status, SubmissionResult, student_name
from . import ClusterUnavailable
from .compatibility import GraderCheck, WorkerRefused, fingerprint
from .scheduler import compatible, connect
from .tasks import GradingProcessDied, Task, grade_task

#: Tries of a notebook whose grading process is killed (not its worker), or that a worker
#: refused, before it is ungraded.
TRIES = 3
#: Seconds between looks at the cluster while no result arrives.
POLL = 2.0


class ClusterGrader:
    """Grades notebooks on the workers of a Dask scheduler (``classes.Grader``)."""

    def __init__(
        self,
        scheduler: str | None = None,
        scheduler_file: str | None = None,
        *,
        timeout: float = 20.0,
        shared: bool = False,
    ) -> None:
        self.client: Client = connect(scheduler, scheduler_file, timeout)
        self.timeout, self.shared = timeout, shared
        self.known: dict[str, bool] = {}  # worker address -> may grade

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        except Exception:  # noqa: BLE001, S110 - the scheduler is gone already: nothing to close
            pass

    def __enter__(self) -> ClusterGrader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the workers ------------------------------------------------------------------------------

    def _check_workers(self, dataset: str, instructor: dict[str, Any], name: str) -> int:
        """How many workers may grade now (they hold the resource ``name``); new workers are
        checked, and a refused one is said on standard error."""
        compatible(self.client, dataset, instructor, self.known)
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return sum(1 for w in workers if w.get("resources", {}).get(name))

    def _start(self, dataset: str, instructor: dict[str, Any]) -> str:
        """The resource of the workers that may grade, once at least one holds it (ClusterUnavailable
        if none does within the timeout)."""
        plugin = GraderCheck(instructor, dataset)
        try:
            if not self.client.scheduler_info(n_workers=-1)["workers"]:
                print(f"waiting up to {self.timeout:g} s for a worker to join the scheduler ...", file=sys.stderr)
                self.client.wait_for_workers(1, timeout=self.timeout)
            self.client.register_plugin(plugin, name=plugin.name)
            deadline = time.monotonic() + self.timeout
            while not self._check_workers(dataset, instructor, plugin.name):
                if time.monotonic() > deadline:
                    raise ClusterUnavailable(
                        "no worker of the cluster may grade (each one was refused: see above, and the "
                        "workers' logs); install the course there as docs/cluster.md says"
                    )
                time.sleep(0.2)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(f"the Dask scheduler has no worker ({type(exc).__name__}: {exc})") from None
        return plugin.name

    # --- grading ------------------------------------------------------------------------------

    def __call__(
        self,
        tasks: list[tuple[Path, Options]],
        progress: bool,
        arrived: Callable[[Path, SubmissionResult], None],
    ) -> list[SubmissionResult]:
        """The results of ``tasks`` in their order; ``arrived`` called as each one is done."""
        if not tasks:
            return []
        dataset = tasks[0][1].dataset or ""
        instructor = fingerprint(dataset)
        name = self._start(dataset, instructor)
        results: dict[int, SubmissionResult] = {}
        tries = dict.fromkeys(range(len(tasks)), 0)
        shas: dict[int, str] = {}
        submitted: dict[Future, int] = {}

        def submit(i: int) -> None:
            path, options = tasks[i]
            task = Task.of(path, student_name(path), options, instructor, shared=self.shared)
            shas[i] = task.sha256
            key = f"grade-{task.student}-{uuid.uuid4().hex[:8]}"
            submitted[self.client.submit(grade_task, task, key=key, pure=False, resources={name: 1})] = i

        bar = tqdm(total=len(tasks), desc="grading", unit="notebook", file=sys.stderr) if progress else None
        for i in range(len(tasks)):
            submit(i)
        alone_since = None  # since when no worker may grade
        try:
            while submitted:
                try:
                    with self.client.as_current():
                        done, _ = wait(list(submitted), timeout=POLL, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                if not self.client.status == "running":
                    raise ClusterUnavailable("the Dask scheduler went away in the middle of grading")
                if not done:  # meanwhile: workers that joined are checked; are there any left?
                    workers = self._check_workers(dataset, instructor, name)
                    alone_since = None if workers else (alone_since or time.monotonic())
                    if alone_since and time.monotonic() - alone_since > self.timeout:
                        raise ClusterUnavailable(f"no worker that may grade has been left for {self.timeout:g} s")
                    if bar:
                        bar.set_postfix(workers=workers)
                    continue
                for future in done:
                    i = submitted.pop(future)
                    result = self._outcome(future, tasks[i][0], tasks[i][1], shas[i], tries, i)
                    if result is None:  # to be graded again
                        submit(i)
                    elif i not in results:  # never counted twice
                        results[i] = result
                        arrived(tasks[i][0], result)
                        if bar:
                            bar.update()
        except BaseException:  # interrupted, or the scheduler is gone: nothing more is graded
            try:
                self.client.cancel(list(submitted))
            except Exception:  # noqa: BLE001, S110 - the scheduler is gone already
                pass
            raise
        finally:
            if bar:
                bar.close()
        return [results[i] for i in range(len(tasks))]

    def _outcome(
        self, future: Future, path: Path, options: Options, sha: str, tries: dict[int, int], i: int
    ) -> SubmissionResult | None:
        """The result a finished task gives, or None when the notebook is to be graded again."""
        try:
            out = future.result()
        except CancelledError:
            raise ClusterUnavailable("the Dask scheduler went away in the middle of grading") from None
        except KilledWorker as exc:
            return ungraded(
                path,
                options,
                f"every worker that graded this notebook died while grading it ({exc.allowed_failures + 1} "
                "tries on the cluster): grade it alone (--jobs 1) to see why",
            )
        except (WorkerRefused, GradingProcessDied) as exc:
            if isinstance(exc, WorkerRefused):
                self.known[str(exc).split(": ", 1)[0]] = False
                print(f"refused worker {exc}", file=sys.stderr)
            tries[i] += 1
            if tries[i] < TRIES:
                return None
            return ungraded(path, options, f"{exc} ({TRIES} tries): grade it alone (--jobs 1) to see why")
        except Exception as exc:  # noqa: BLE001 - a bug of the grader on a worker: this notebook only
            return ungraded(path, options, f"the grader failed on this notebook: {type(exc).__name__}: {exc}")
        if out["sha256"] != sha:
            return ungraded(path, options, "the worker graded another notebook than the one sent: grade it again")
        result = SubmissionResult.from_dict(out["result"])
        result.path, result.student = str(path), student_name(path)
        return result


def ungraded(path: Path, options: Options, reason: str) -> SubmissionResult:
    return SubmissionResult(
        str(path), student_name(path), status=Status.UNGRADED, reason=reason, dataset=options.dataset or ""
    )
