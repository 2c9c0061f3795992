"""python -m autograder.hub: the course's JupyterHub (docs/jupyterhub.md).

  start [--port 8000] [--jobs 1]   lay the hub out and start it in the background (make hub)
  stop                             stop it; its state stays (make hub-stop)
  serve [--jobs 1] [--scheduler tcp://HOST:8786]
                                   the grading service (the hub starts it); --scheduler grades
                                   on a Dask cluster (docs/cluster.md, docs/jupyterhub.md)
  password NAME                    set a person's hub password (read from standard input)
  publish                          release the hidden checks' details now (visibility after_published)
  remove-users [--homes]           remove the tln- Unix users and groups the hub made (make hub-remove-users)

The hub's folder is HUB_DIR's, default hub-state/ in the repository (TWO_LAYER_NET_HUB_DIR), and
who uses it is hub/people.toml's (--people).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from autograder.course.reference import REPO

from .layout import HubLayout

PEOPLE = REPO / "hub" / "people.toml"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.hub", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=Path, default=PEOPLE, help="who uses the hub (default: hub/people.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start")
    start.add_argument("--port", type=int, default=8000)
    start.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    sub.add_parser("stop")
    serve = sub.add_parser("serve")
    serve.add_argument("--jobs", type=int, default=1)
    serve.add_argument("--scheduler", help="grade on this Dask scheduler instead of in a sandbox here")
    password = sub.add_parser("password")
    password.add_argument("name")
    sub.add_parser("publish")
    remove = sub.add_parser("remove-users")
    remove.add_argument("--homes", action="store_true", help="remove their home folders too")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    layout = HubLayout.from_env()

    if args.command == "start":
        from .control import start as start_hub
        from .install import HubSetupError

        try:
            return start_hub(layout, args.people, port=args.port, jobs=args.jobs)
        except HubSetupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "stop":
        from .control import stop

        return stop(layout)
    if args.command == "serve":
        from .service import serve as serve_forever

        logging.basicConfig(level=logging.INFO, format="[autograder %(asctime)s] %(message)s")
        options = ("--scheduler", args.scheduler) if args.scheduler else ()
        return serve_forever(layout, args.people, jobs=args.jobs, grader_options=options)
    if args.command == "password":
        from . import passwords

        passwords.set_password(layout.passwords, args.name, sys.stdin.readline().rstrip("\n"))
        return 0
    if args.command == "publish":
        layout.published.touch()
        print("The hidden checks' details are released within a minute.")
        return 0
    from . import users

    removed = users.remove(homes=args.homes)
    print(f"Removed {', '.join(removed) or 'nothing: the hub made no users here'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
