"""Grading a class on a Dask cluster: one task per notebook, results taken as they arrive.

:class:`ClusterGrader` is a ``classes.Grader``: ``classes.grade_many`` gives it the notebooks
left to grade and writes each result to the journal as it arrives (``--resume`` is the same
as for local grading).

The grader places the tasks itself: each goes to a worker with a free slot (a worker thread),
and no more tasks than slots are ever out, so a worker that dies takes down exactly the
notebooks it was grading, no bystander queued behind them (Dask's scheduler would send a
resource-restricted task to a busy worker, and count it *suspicious* when that worker dies).
Faults, and what becomes of the notebook:

- a worker dies while grading it (its machine lost, ``kill -9``, out of memory): it goes to
  another worker; it arrives once, and is counted once;
- every worker that grades it dies: after ``tries`` deaths (3 by default) it is *ungraded*,
  with the reason, and never tried again (a scheduler whose ``allowed-failures`` is lower
  says so first, as ``KilledWorker``: the same);
- the worker's grading process is killed (not the worker), or a worker refuses it: tried
  again, ``tries`` times in all, then *ungraded*;
- a worker that would grade differently (:mod:`.compatibility`) never receives a notebook:
  only the workers ``GraderCheck`` found equal hold the grading resource;
- the scheduler goes away: :class:`ClusterUnavailable`; what arrived is in the journal.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from distributed import Client, Future, KilledWorker, wait
from tqdm import tqdm

from autograder.grading.options import Options
from autograder.grading.results import Status, SubmissionResult, student_name

from . import ClusterUnavailable
from .compatibility import GraderCheck, WorkerRefused, fingerprint
from .scheduler import compatible, connect
from .tasks import GradingProcessDied, Task, grade_task

#: Tries of a notebook before it is ungraded: its worker died, its grading process was killed.
TRIES = 3
#: Seconds between looks at the cluster while no result arrives.
POLL = 1.0


class ClusterGrader:
    """Grades notebooks on the workers of a Dask scheduler (``classes.Grader``)."""

    def __init__(
        self,
        scheduler: str | None = None,
        scheduler_file: str | None = None,
        *,
        timeout: float = 20.0,
        shared: bool = False,
        tries: int = TRIES,
    ) -> None:
        self.client: Client = connect(scheduler, scheduler_file, timeout)
        self.timeout, self.shared, self.tries = timeout, shared, max(1, tries)
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

    def _slots(self, dataset: str, instructor: dict[str, Any], name: str) -> dict[str, int]:
        """Worker address -> its slots, of the workers that may grade (they hold the resource
        ``name``); new workers are checked, a refused one said on standard error."""
        if self.client.status != "running":
            raise ClusterUnavailable("the Dask scheduler went away in the middle of grading")
        try:
            compatible(self.client, dataset, instructor, self.known)
            workers = self.client.scheduler_info(n_workers=-1)["workers"]
        except (OSError, TimeoutError, CancelledError) as exc:
            raise ClusterUnavailable(f"the Dask scheduler went away ({type(exc).__name__}: {exc})") from None
        return {
            a: int(w.get("resources", {}).get(name, 0)) for a, w in workers.items() if w.get("resources", {}).get(name)
        }

    def _start(self, dataset: str, instructor: dict[str, Any]) -> str:
        """The resource of the workers that may grade, once one holds it (else ClusterUnavailable)."""
        plugin = GraderCheck(instructor, dataset)
        try:
            if not self.client.scheduler_info(n_workers=-1)["workers"]:
                print(f"waiting up to {self.timeout:g} s for a worker to join the scheduler ...", file=sys.stderr)
                self.client.wait_for_workers(1, timeout=self.timeout)
            self.client.register_plugin(plugin, name=plugin.name)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(f"the Dask scheduler has no worker ({type(exc).__name__}: {exc})") from None
        deadline = time.monotonic() + self.timeout
        while not self._slots(dataset, instructor, plugin.name):
            if time.monotonic() > deadline:
                raise ClusterUnavailable(
                    "no worker of the cluster may grade (each one was refused: see above, and the "
                    "workers' logs); install the course there as docs/cluster.md says"
                )
            time.sleep(0.2)
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
        queue = deque(range(len(tasks)))
        out: dict[Future, tuple[int, str]] = {}  # each task out: (its notebook, its worker)

        def submit(i: int, worker: str) -> None:
            path, options = tasks[i]
            task = Task.of(path, student_name(path), options, instructor, shared=self.shared)
            shas[i] = task.sha256
            key = f"grade-{task.student}-{uuid.uuid4().hex[:8]}"
            future = self.client.submit(
                grade_task, task, key=key, pure=False, workers=[worker], allow_other_workers=False, resources={name: 1}
            )
            out[future] = (i, worker)

        def finish(i: int, result: SubmissionResult | None) -> None:
            if result is None:  # to be graded again, first
                queue.appendleft(i)
            elif i not in results:  # never counted twice
                results[i] = result
                arrived(tasks[i][0], result)
                if bar:
                    bar.update()

        bar = tqdm(total=len(tasks), desc="grading", unit="notebook", file=sys.stderr) if progress else None
        alone_since = None  # since when no worker may grade
        try:
            while queue or out:
                slots = self._slots(dataset, instructor, name)
                for future, (i, worker) in list(out.items()):
                    if worker not in slots and not future.done():  # its worker died while grading it
                        del out[future]
                        future.cancel()
                        finish(i, self._died(i, tasks[i], tries, "the worker grading it died"))
                busy = {w: sum(1 for _, x in out.values() if x == w) for w in slots}
                for worker in sorted(slots, key=lambda w: busy[w] - slots[w]):
                    while queue and busy[worker] < slots[worker]:
                        submit(queue.popleft(), worker)
                        busy[worker] += 1
                alone_since = None if slots else (alone_since or time.monotonic())
                if alone_since and time.monotonic() - alone_since > self.timeout:
                    raise ClusterUnavailable(f"no worker that may grade has been left for {self.timeout:g} s")
                if bar:
                    bar.set_postfix(workers=len(slots), refresh=False)
                if not out:
                    time.sleep(POLL)
                    continue
                try:
                    with self.client.as_current():
                        done, _ = wait(list(out), timeout=POLL, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    continue
                except CancelledError:  # Dask cancels every future when it loses the scheduler
                    raise ClusterUnavailable("the Dask scheduler went away in the middle of grading") from None
                for future in done:
                    if future in out:
                        i, _ = out.pop(future)
                        finish(i, self._outcome(future, i, tasks[i], shas[i], tries))
        except BaseException:  # interrupted, or the scheduler is gone: nothing more is graded
            try:
                self.client.cancel(list(out))
            except Exception:  # noqa: BLE001, S110 - the scheduler is gone already
                pass
            raise
        finally:
            if bar:
                bar.close()
        return [results[i] for i in range(len(tasks))]

    def _died(self, i: int, task: tuple[Path, Options], tries: dict[int, int], what: str) -> SubmissionResult | None:
        """One more try of notebook ``i`` ended by ``what``: None to try again, else ungraded."""
        tries[i] += 1
        if tries[i] < self.tries:
            return None
        if what == "the worker grading it died":
            what = "every worker that graded this notebook died while grading it"
        return ungraded(*task, f"{what} ({tries[i]} tries on the cluster): grade it alone (--jobs 1) to see why")

    def _outcome(
        self, future: Future, i: int, task: tuple[Path, Options], sha: str, tries: dict[int, int]
    ) -> SubmissionResult | None:
        """The result a finished task gives, or None when the notebook is to be graded again."""
        path, options = task
        try:
            out = future.result()
        except CancelledError:
            raise ClusterUnavailable("the Dask scheduler went away in the middle of grading") from None
        except KilledWorker as exc:  # the scheduler's allowed-failures is lower than our tries
            return ungraded(
                path,
                options,
                f"every worker that graded this notebook died while grading it ({exc.allowed_failures + 1} "
                "tries on the cluster): grade it alone (--jobs 1) to see why",
            )
        except WorkerRefused as exc:
            self.known[str(exc).split(": ", 1)[0]] = False
            print(f"refused worker {exc}", file=sys.stderr)
            return self._died(i, task, tries, f"refused by a worker ({exc})")
        except GradingProcessDied as exc:
            return self._died(i, task, tries, str(exc))
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
