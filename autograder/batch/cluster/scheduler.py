"""Reaching the Dask scheduler, and the workers that may grade.

``connect`` opens a client to ``tcp://HOST:PORT`` or to the address a scheduler file holds
(``dask scheduler --scheduler-file``, what dask-jobqueue and ``dask-mpi`` write). ``compatible``
asks every worker for its fingerprint and says which ones are refused, and why.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from distributed import Client

from . import ClusterUnavailable
from .compatibility import differences, fingerprint


def address_of(scheduler: str | None, scheduler_file: str | None) -> str:
    if scheduler:
        return scheduler
    path = Path(scheduler_file or "")
    try:
        return json.loads(path.read_text())["address"]
    except FileNotFoundError:
        raise ClusterUnavailable(
            f"no scheduler file {path}: start the scheduler first (dask scheduler --scheduler-file {path})"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClusterUnavailable(f"{path} is not a Dask scheduler file ({type(exc).__name__}: {exc})") from None


def connect(scheduler: str | None, scheduler_file: str | None, timeout: float) -> Client:
    """A client of the scheduler; :class:`ClusterUnavailable` if it does not answer within ``timeout`` s."""
    address = address_of(scheduler, scheduler_file)
    # The client's own log (tracebacks of a lost connection, its reconnection attempts) is not for
    # the instructor: what went wrong is said once, as ClusterUnavailable.
    for name in ["distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))]:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(
            f"the Dask scheduler at {address} did not answer within {timeout:g} s ({type(exc).__name__}: {exc}); "
            "is it running, and is its port open from here? (docs/cluster.md)"
        ) from None


def worker_addresses(client: Client) -> set[str]:
    return set(client.scheduler_info(n_workers=-1)["workers"])


def compatible(client: Client, dataset: str, instructor: dict[str, Any], known: dict[str, bool]) -> set[str]:
    """The workers that may grade: each worker not in ``known`` is asked for its fingerprint once
    (``known[address]`` records the answer); a refused one is said on standard error."""
    new = sorted(worker_addresses(client) - set(known))
    if new:
        answers = client.run(fingerprint, dataset, workers=new, on_error="return")
        for address in new:
            theirs = answers.get(address)
            found = (
                differences(instructor, theirs)
                if isinstance(theirs, dict)
                else [f"it could not say what it runs ({theirs!r}): is the course grader installed there?"]
            )
            known[address] = not found
            if found:
                print(f"refused worker {address}: " + "; ".join(found), file=sys.stderr)
    return {address for address, ok in known.items() if ok} & worker_addresses(client)
