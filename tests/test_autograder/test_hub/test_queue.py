"""The service's journal (autograder/hub/queue.py): every step on disk, replayed after a restart."""

from __future__ import annotations

import json

from autograder.hub.queue import Journal


def test_steps_survive_a_restart_and_a_line_cut_short(tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    assert journal.seen("ann+two_layer_net+t1+r", "ann", 10.0)
    assert not journal.seen("ann+two_layer_net+t1+r", "ann", 10.0), "a submission is seen once"
    journal.write("graded", "ann+two_layer_net+t1+r", result={"score": 92})
    journal.seen("ann+two_layer_net+t2+r", "ann", 20.0)
    with open(path, "a") as f:
        f.write('{"step": "graded", "key": "ann+two_layer_net+t2+r", "res')  # the service died mid-line

    again = Journal(path)
    first, second = again.entries["ann+two_layer_net+t1+r"], again.entries["ann+two_layer_net+t2+r"]
    assert (first.state, first.result) == ("graded", {"score": 92})
    assert second.state == "seen" and second.pending, "the cut-short step is done again, not taken as done"
    again.write("graded", second.key, result={"score": 50})
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()[-1:]] == ["graded"]


def test_newest_counted_is_the_newest_recorded_as_counted(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    for key, at in (("ann+two_layer_net+a+r", 1.0), ("ann+two_layer_net+b+r", 2.0), ("ben+two_layer_net+a+r", 1.5)):
        journal.seen(key, key.split("+")[0], at)
    assert journal.newest_counted("ann") is None
    journal.write("recorded", "ann+two_layer_net+b+r", counted=True)
    journal.write("recorded", "ann+two_layer_net+a+r", counted=False)  # graded after the newer one
    assert journal.newest_counted("ann").key == "ann+two_layer_net+b+r"
    assert [e.key for e in journal.of_student("ann")] == ["ann+two_layer_net+a+r", "ann+two_layer_net+b+r"]
