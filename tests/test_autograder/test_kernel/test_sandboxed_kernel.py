"""The sandboxed kernel of `nbgrader autograde` (autograder/nbgrader/kernel/), end to end.

On a temporary nbgrader course, twice: in bubblewrap with this machine's control groups, and with
both taken away (Landlock and a user of its own, RLIMIT_NPROC: what nbgrader's kernel gets on a
host without them). The solution still gets every autograded point (its hidden test cells are
graded through the launcher's socket), and a hostile submission, whose answer cells attack the
kernel nbgrader runs them in, reads nothing of the course, writes nothing outside its folder,
reaches no network, sees nothing of the host in its view of itself, is stopped by the process and
memory limits, and gains nothing by replacing check_hidden. Then the kernel as nbgrader starts
it: the course configuration selects it, interrupts reach it, output floods are queued, BLAS
survives processes left at the limit, and the plain fallback where nothing confines it.
The modules' own tests are beside this file.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

import corpus
from autograder.nbgrader.course import Course
from autograder.nbgrader.kernel import kernelspec
from autograder.sandbox import cgroups, landlock, users
from hosts import kernel_sandbox

# The hostile notebook leaves `sleep <mark> &` behind: unique per test process, so that another
# pytest worker's sandbox (alive at that moment) is not mistaken for ours.
SLEEP_MARK = str(900000 + os.getpid() % 99999)

REPO = Path(__file__).resolve().parents[3]

needs_sandbox = pytest.mark.skipif(not kernel_sandbox()[0], reason=f"no sandbox here: {kernel_sandbox()[1]}")
# The kernel's containment, as nbgrader gets it: this machine's, and without bubblewrap and the
# control groups (the fallback: Landlock, a user of its own, RLIMIT_NPROC).
MODES = {"bubblewrap": {}, "no bubblewrap, no cgroup": {"AUTOGRADER_SANDBOX": "landlock", cgroups.ENV: "none"}}
UNCONFINED = {"AUTOGRADER_SANDBOX": "none"}  # no sandbox, by the instructor's explicit choice
NOTHING_LEFT = {"AUTOGRADER_SANDBOX": "landlock", landlock.ENV: "none"}  # asked for Landlock, there is none


def outputs(cell) -> str:
    return "".join(o.get("text", "") or o.get("evalue", "") for o in cell.get("outputs", []))


def hostile_line(nb, marker: str) -> str:
    """The line a hostile cell printed (``HOSTILE <marker>: ...``) in the autograded notebook."""
    for cell in nb.cells:
        for line in outputs(cell).splitlines():
            if line.startswith(f"HOSTILE {marker}:"):
                return line
    raise AssertionError(f"no 'HOSTILE {marker}:' output: the hostile cell did not run")


class Listener:
    """A TCP server on the host's 127.0.0.1 that records connections."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


# Hostile code runs only in nbgrader's kernel (NBGRADER_EXECUTION=autograde there), not again in
# the course grader's worker each time a hidden check grades the notebook.
GUARD = 'import os\nif os.environ.get("NBGRADER_EXECUTION") == "autograde":\n'


def indent(code: str) -> str:
    return "".join(f"    {line}\n" for line in code.strip("\n").splitlines())


def hostile_answers(paths: dict[str, str], port: int) -> dict[str, str]:
    """The solution, with an attack at the top of answer cells (each prints `HOSTILE <what>: ...`)."""
    A = corpus.ANSWERS
    p = json.dumps(paths)
    read = f"""
import sys
paths = {p}
found = []
for root in ("/work", "/root", "/home", "/srv", "/opt", "/var", "/run", "/tmp", paths["course"], paths["host_tmp"]):
    for folder, _, files in os.walk(root):
        for name in files:
            if (name in ("two_layer_net.ipynb", "gradebook.db", "corpus.py")
                    or name.endswith(".py") and os.path.basename(folder) == "autograder"):
                found.append(os.path.join(folder, name))
# Not secret: its own folder (its notebook and twolayer/), the Python installation (nbgrader's
# own test files) and the check_hidden client.
public = (os.getcwd() + "/", sys.prefix + "/", sys.base_prefix + "/", "/run/grader/lib/autograder/")
found = sorted(f for f in found if not f.startswith(public))
secret = ""
for path in (paths["source_nb"], paths["course_source_nb"], paths["reference_py"], paths["gradebook"],
             paths["alice_nb"]):
    try:
        secret += open(path, errors="replace").read()
    except OSError:
        pass
print("HOSTILE read:", len(found), found[:5], len(secret))
"""
    write = """
import shutil
paths = PATHS
results = {}
for path in (paths["gradebook"], paths["course"] + "/PWNED", paths["host_tmp"] + "/PWNED",
             paths["repo"] + "/PWNED_BY_TEST", paths["alice_nb"], paths["alice_submitted"]):
    try:
        with open(path, "a") as f:
            f.write("pwned")
        results[path] = "written"
    except OSError as exc:
        results[path] = type(exc).__name__
for path in (paths["course_decoy"], paths["host_decoy"]):
    try:
        os.remove(path)
        results[path] = "deleted"
    except OSError as exc:
        results[path] = type(exc).__name__
shutil.rmtree(paths["course"] + "/source", ignore_errors=True)
# Let nbgrader, unconfined, write the graded notebook through a link, and copy a file for us.
os.symlink(paths["link_target"], "nb.link")
os.replace("nb.link", "two_layer_net.ipynb")
os.symlink(paths["reference_py"], "leak.py")
os.mkfifo("fifo")
import json
print("HOSTILE write:", json.dumps(results))
""".replace("PATHS", p)
    network = f"""
import socket
for address in (("127.0.0.1", {port}), ("1.1.1.1", 80)):
    try:
        socket.create_connection(address, timeout=3).close()
        print("HOSTILE network: CONNECTED to", address)
    except OSError as exc:
        print("HOSTILE network:", address, type(exc).__name__)
# The launcher's grading socket: only items of the assignment, one bounded request at a time.
import json as _json, struct as _struct
for header in (b'{{"item": "../../../etc/passwd"}}', b"not json", b'{{"item": "relu_forward"}}' + b" " * 70000):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["TWO_LAYER_NET_GRADER_SOCKET"])
    s.sendall(_struct.pack("<II", len(header), 0) + header)
    size = _struct.unpack("<I", s.recv(4))[0]
    print("HOSTILE grader:", _json.loads(s.recv(size))["stderr"][:60])
    s.close()
import subprocess
subprocess.run(["sh", "-c", "sleep {SLEEP_MARK} &"])
"""
    identity = """
import json
def _view(path):
    try:
        with open(path, "rb") as f:
            return f.read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError as exc:
        return type(exc).__name__
try:
    listing = sorted(os.listdir("/"))
except OSError as exc:
    listing = type(exc).__name__
print("HOSTILE identity:", os.getuid(), _view("/proc/1/cmdline").split(" ")[0], listing)
views = ("/proc/1/cmdline", "/proc/self/environ", "/proc/self/cmdline")
print("HOSTILE views:", json.dumps({p: _view(p) for p in views}))
"""
    fork_bomb = """
import time
parent, failed = os.getpid(), None
try:
    # Every process forks as long as it can; the first one up to 200 times, more than the limit
    # lets live at once (each child lives 2 s), so that it meets the limit itself however the
    # machine schedules them (with 20 it could be done before its children had forked).
    for _ in range(200):
        os.fork()
except OSError as exc:
    failed = type(exc).__name__
if os.getpid() != parent:
    time.sleep(2)
    os._exit(0)
try:
    while True:
        os.wait()  # its own children (the others are reaped by the sandbox's init)
except ChildProcessError:
    pass
print("HOSTILE fork bomb stopped:", failed)
"""
    memory_bomb = """
import numpy as _np
blocks = []
try:
    while True:
        blocks.append(_np.ones(10 ** 8))
except MemoryError:
    print("HOSTILE memory bomb: stopped after", len(blocks), "blocks of 0.8 GB")
del blocks
"""
    fake_checks = """
import sys, types
fake = types.ModuleType("autograder.nbgrader.hidden")
fake.check_hidden = lambda item, **kw: print(item + ": all hidden checks passed")
sys.modules["autograder.nbgrader.hidden"] = fake
print("HOSTILE fake check_hidden installed")
"""
    attacks = {
        "affine_forward": read,
        "affine_backward": write,
        "relu_forward": network,
        "relu_backward": identity,
        "svm_loss": fork_bomb,
        "softmax_loss": memory_bomb,
    }
    answers = {item: GUARD + indent(code) + A[item] for item, code in attacks.items()}
    # svm_loss: a wrong answer, and self_check replaced so that its visible check cell "passes".
    wrong_svm = next(m for m in corpus.MISTAKES if m.name == "SVM margin without its delta").answers["svm_loss"]
    answers["svm_loss"] = (
        GUARD + indent(fork_bomb + "\nself_check = lambda *a, **k: print('HOSTILE fake self_check')") + wrong_svm
    )
    # The last item: a wrong answer, and check_hidden replaced so that its hidden cell "passes".
    answers["inline_question_2_choices"] = GUARD + indent(fake_checks) + "inline_question_2_choices = {1, 2, 3}\n"
    return answers


@pytest.fixture
def reachable_tmp():
    """A folder the sandbox's own user reaches by its path, as it must without bubblewrap (pytest's
    tmp_path is under a folder only root may enter)."""
    folder = Path(tempfile.mkdtemp(prefix="tln-test-", dir="/tmp"))
    os.chmod(folder, 0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=list(MODES))
def graded(request, tmp_path_factory):
    if not kernel_sandbox()[0]:
        pytest.skip(f"no sandbox here: {kernel_sandbox()[1]}")
    if MODES[request.param] and not (landlock.abi() and users.available()[0]):
        pytest.skip("without bubblewrap: needs Landlock and a root grader here")
    base = Path(tempfile.mkdtemp(prefix="tln-test-", dir="/tmp"))  # see reachable_tmp
    os.chmod(base, 0o711)
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    course = Course(base / "course", cell_timeout=120, env=MODES[request.param])
    course.env["TWO_LAYER_NET_KERNEL_MEMORY"] = "3G"  # the memory bomb stops after ~3 GB
    course.create()
    host_tmp = tmp_path_factory.mktemp("host_tmp")  # under the host's /tmp
    paths = {
        "repo": str(REPO),
        "course": str(course.root),
        "host_tmp": str(host_tmp),
        "source_nb": str(REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"),
        "course_source_nb": str(course.root / "source" / "two_layer_net" / "two_layer_net.ipynb"),
        "reference_py": str(REPO / "autograder" / "reference.py"),
        "gradebook": str(course.root / "gradebook.db"),
        "alice_nb": str(course.root / "autograded" / "alice" / "two_layer_net" / "two_layer_net.ipynb"),
        "alice_submitted": str(course.submission_path("alice")),
        "course_decoy": str(course.root / "DECOY"),
        "host_decoy": str(host_tmp / "DECOY"),
        "link_target": str(course.root / "LINK_TARGET"),
    }
    for decoy in ("course_decoy", "host_decoy", "link_target"):
        Path(paths[decoy]).write_text("decoy\n")
    listener = Listener()
    for student, answers in (("alice", {}), ("mallory", hostile_answers(paths, listener.port))):
        nb = tmp_path_factory.mktemp("nb") / "two_layer_net.ipynb"
        corpus.write_submission(nb, answers, base=course.release_notebook)
        course.submit(student, nb)
    submitted_alice = course.submission_path("alice").read_bytes()
    start = time.monotonic()
    course.autograde()
    seconds = time.monotonic() - start
    pages = course.feedback()
    return {
        "mode": request.param,
        "course": course,
        "paths": paths,
        "listener": listener,
        "seconds": seconds,
        "pages": pages,
        "submitted_alice": submitted_alice,
    }


def autograded(course: Course, student: str):
    return nbformat.read(course.root / "autograded" / student / "two_layer_net" / "two_layer_net.ipynb", as_version=4)


def scores(course: Course, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("two_layer_net", "two_layer_net", student)
        return {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}


def log(course: Course) -> str:
    return (course.root / "nbgrader.log").read_text()


@pytest.mark.slow
def test_solution_gets_every_point_through_the_sandbox(graded):
    course = graded["course"]
    result = course.results()["alice"]
    assert (result.status, result.score, result.max_score) == ("graded", 92, 92), log(course)[-3000:]
    nb = autograded(course, "alice")
    text = "".join(outputs(c) for c in nb.cells)
    assert text.count("all hidden checks passed") == 11
    assert "WITHOUT a sandbox" not in log(course)


@pytest.mark.slow
def test_each_autograded_notebook_records_what_contained_it(graded):
    expected = "bubblewrap" if graded["mode"] == "bubblewrap" else "Landlock"
    for student in ("alice", "mallory"):
        meta = autograded(graded["course"], student).metadata["two_layer_net"]
        assert meta["sandboxed"] is True and meta["sandbox"].startswith(expected), meta


@pytest.mark.slow
def test_the_kernel_was_the_sandbox(graded):
    line = hostile_line(autograded(graded["course"], "mallory"), "identity")
    uid, init, listing = line.split(": ", 1)[1].split(" ", 2)
    if graded["mode"] == "bubblewrap":
        assert uid == "65534" and init.endswith("bwrap")
        # Nothing of the machine but the system, the Python installation, its folder and /run.
        assert not {"'work'", "'root'", "'var'", "'srv'"} & set(listing.strip("[]").split(", ")), listing
    else:  # a user of its own; Landlock: no other process's /proc, no listing of /
        assert int(uid) in users.uid_range() and init == listing == "PermissionError"
    assert "WITHOUT a sandbox" not in log(graded["course"])


@pytest.mark.slow
def test_nothing_of_the_host_in_the_kernels_view_of_itself(graded):
    """Its sandbox's /proc/1/cmdline (bubblewrap, whose arguments come from a descriptor), its
    command line and its environment name no folder of the host. (Without bubblewrap there is no
    view of its own: it cannot read /proc/1, and its own paths are the host's.)"""
    line = hostile_line(autograded(graded["course"], "mallory"), "views")
    views = json.loads(line.split(": ", 1)[1])
    if graded["mode"] != "bubblewrap":
        assert views["/proc/1/cmdline"] == "PermissionError"  # nor another process's view
        return
    host = [str(REPO), str(graded["course"].root), graded["paths"]["host_tmp"], str(Path(sys.prefix).resolve())]
    host.append(str(Path(sys.base_prefix).resolve()))
    for view, text in views.items():
        assert not [path for path in host if path in text], (view, text)
    assert views["/proc/1/cmdline"].split(" ")[1] == "--json-status-fd"


@pytest.mark.slow
def test_hostile_code_reads_nothing_of_the_course(graded):
    nb = autograded(graded["course"], "mallory")
    # Found no notebook, grader module or gradebook outside its own folder; read 0 characters.
    assert hostile_line(nb, "read") == "HOSTILE read: 0 [] 0"
    page = next(p for p in graded["pages"] if p.parent.parent.name == "mallory").read_text()
    assert "HOSTILE read: 0 [] 0" in page
    assert "def solution_answers" not in page and "BEGIN HIDDEN TESTS" not in page


@pytest.mark.slow
def test_hostile_code_writes_nothing_outside_its_folder(graded):
    """What matters is the host: nothing the hostile cell wrote or deleted is there afterwards.
    Inside the sandbox a write may seem to succeed under /tmp (the sandbox's private /tmp, in
    memory and gone with the kernel, has the folders leading to the submission's, and the course,
    the host's temporary folder or even this repository may live under /tmp); elsewhere the file
    system is read-only."""
    course, paths = graded["course"], graded["paths"]
    line = hostile_line(autograded(course, "mallory"), "write")
    results = json.loads(line.split(": ", 1)[1])
    assert not [path for path, what in results.items() if what == "written" and not path.startswith("/tmp/")], line
    # On the host: no new file, the decoys and the course's notebooks as they were.
    for pwned in (course.root / "PWNED", Path(paths["host_tmp"]) / "PWNED", REPO / "PWNED_BY_TEST"):
        assert not pwned.exists(), (pwned, line)
    for decoy in ("course_decoy", "host_decoy", "link_target"):
        assert Path(paths[decoy]).read_text() == "decoy\n", (decoy, line)
    assert (course.root / "source" / "two_layer_net" / "two_layer_net.ipynb").exists()
    assert course.submission_path("alice").read_bytes() == graded["submitted_alice"]
    assert not Path(paths["gradebook"]).read_bytes().endswith(b"pwned")
    assert scores(course, "alice")  # the gradebook is intact
    assert not Path(paths["alice_nb"]).read_bytes().endswith(b"pwned")
    assert autograded(course, "alice").cells  # alice's graded notebook too
    # The links and the fifo it left were removed before nbgrader wrote the graded notebook.
    folder = course.root / "autograded" / "mallory" / "two_layer_net"
    assert not any(p.is_symlink() for p in folder.rglob("*")) and not (folder / "fifo").exists()
    assert (folder / "two_layer_net.ipynb").is_file() and not (folder / "two_layer_net.ipynb").is_symlink()
    assert "links and special files the notebook left in" in log(course)


@pytest.mark.slow
def test_hostile_code_reaches_no_network(graded):
    nb = autograded(graded["course"], "mallory")
    lines = [line for cell in nb.cells for line in outputs(cell).splitlines() if line.startswith("HOSTILE network")]
    assert len(lines) == 2 and not any("CONNECTED" in line for line in lines), lines
    assert graded["listener"].accepted == 0
    grader = [line for cell in nb.cells for line in outputs(cell).splitlines() if line.startswith("HOSTILE grader")]
    assert len(grader) == 3 and all("bad request" in line for line in grader), grader


@pytest.mark.slow
def test_hostile_processes_are_stopped(graded):
    course = graded["course"]
    nb = autograded(course, "mallory")
    assert hostile_line(nb, "fork bomb stopped") == "HOSTILE fork bomb stopped: BlockingIOError"
    blocks = int(hostile_line(nb, "memory bomb").split()[5])
    assert 1 <= blocks <= 4
    # Its background process died with the sandbox.
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            assert SLEEP_MARK.encode() not in cmdline.read_bytes() or str(os.getpid()) == cmdline.parent.name
        except OSError:
            pass


@pytest.mark.slow
def test_hostile_submission_gains_nothing_and_loses_only_what_it_broke(graded):
    course = graded["course"]
    got = scores(course, "mallory")
    # The attacks sat in answer cells whose answers are right: those items keep their points;
    # svm_loss is wrong and inline question 2 too (3 points). The svm_loss answer is the corpus's
    # "SVM margin without its delta": it earns the share of the checks it passes (partial credit;
    # the hidden share depends on the hidden inputs, drawn from the answers, which hold this run's
    # paths), never the 3 + 5 that its faked self_check claims.
    assert got["svm_loss_check"] < 3 and got["svm_loss_hidden"] < 5, got
    svm = got["svm_loss_check"] + got["svm_loss_hidden"]
    assert sum(got.values()) == pytest.approx(92 - 3 - 8 + svm), got
    # Its svm_loss check cell passed in the kernel (self_check was replaced), but the cell gets the
    # points of the grader's own run of those visible checks, and says so.
    cell = next(
        c
        for c in autograded(course, "mallory").cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "svm_loss_check"
    )
    assert "HOSTILE fake self_check" in outputs(cell)
    assert f"The grader gives this cell {got['svm_loss_check']:g} of 3 points." in outputs(cell)
    # Its last hidden test cell printed "all hidden checks passed" (check_hidden was replaced),
    # but the grader never passed that item: the cell failed.
    assert got["inline_question_2_choices_hidden"] == 0
    cell = next(
        c
        for c in autograded(course, "mallory").cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "inline_question_2_choices_hidden"
    )
    assert "all hidden checks passed" in outputs(cell) and "did not reach the grader" in outputs(cell)


@pytest.mark.slow
def test_feedback_is_generated(graded):
    names = {p.parent.parent.name for p in graded["pages"]}
    assert names >= {"alice", "mallory"}


@pytest.mark.slow
def test_timing_is_reported(graded):
    print(f"autograde of 2 notebooks in the sandbox: {graded['seconds']:.1f} s")
    assert graded["seconds"] < 240


# --------------------------------------------------------------------------------------------
# The kernel as nbgrader starts it
# --------------------------------------------------------------------------------------------


def _config(env: dict[str, str], prelude: str = "") -> subprocess.CompletedProcess:
    code = prelude + (
        "from traitlets.config.loader import PyFileConfigLoader\n"
        f"cfg = PyFileConfigLoader('nbgrader_config.py', path={str(REPO)!r}).load_config()\n"
        "print(cfg.Execute.get('kernel_name'), cfg.KernelManager.get('transport'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


@needs_sandbox
def test_course_config_selects_the_sandbox_where_it_works():
    proc = _config({})
    assert proc.stdout.split() == [kernelspec.KERNEL_NAME, "ipc"], proc.stderr
    assert "WARNING" not in proc.stderr


@pytest.mark.parametrize("env", [{"AUTOGRADER_SANDBOX": "landlock"}, UNCONFINED, NOTHING_LEFT, {"PATH": "/nowhere"}])
def test_course_config_selects_the_sandboxed_kernel_whatever_the_host(env):
    """Nothing in the configuration decides to run a notebook outside the course's kernel: where
    the sandbox cannot be had, its launcher refuses (below); without a sandbox by choice, it still
    runs, so that the grader outside gives every verdict."""
    proc = _config(env)
    assert proc.stdout.split() == [kernelspec.KERNEL_NAME, "ipc"], proc.stderr


def test_course_config_that_cannot_load_the_course_still_names_the_sandboxed_kernel():
    """A configuration file that raises is skipped by nbgrader, with python3 as the kernel: so
    without the course's environment it must not raise, and still names a kernel that cannot start."""
    proc = _config({}, prelude="import sys\nsys.modules['autograder'] = None  # not the course's environment\n")
    assert proc.returncode == 0 and proc.stdout.split() == [kernelspec.KERNEL_NAME, "None"], proc.stderr
    assert "no notebook will be executed" in proc.stderr


def _run(cells: list[str], tmp_path: Path, env: dict[str, str] | None = None, timeout: int = 5):
    """Execute ``cells`` in the sandboxed kernel the way nbgrader does (the course's settings)."""
    proc = _run_raw(cells, tmp_path, env, timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1]), proc.stderr


def _run_raw(cells: list[str], tmp_path: Path, env: dict[str, str] | None = None, timeout: int = 5):
    script = f"""
import json, sys, nbformat
from traitlets.config import Config
from nbclient import NotebookClient
from autograder.nbgrader.kernel import ipc, kernelspec
kernelspec.ensure_kernelspec()
c = Config()
c.KernelManager.transport = "ipc"
c.KernelManager.ip = ipc.ipc_address()
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in json.loads(sys.argv[1])])
NotebookClient(nb, config=c, kernel_name=kernelspec.KERNEL_NAME, timeout={timeout}, allow_errors=True,
               interrupt_on_timeout=True,
               resources={{"metadata": {{"path": sys.argv[2]}}}}).execute()
print(json.dumps([[o.get("text", "") or o.get("ename", "") for o in cell.outputs] for cell in nb.cells]))
"""
    return subprocess.run(
        [sys.executable, "-c", script, json.dumps(cells), str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.slow
@needs_sandbox
def test_interrupt_reaches_the_sandboxed_kernel(tmp_path):
    out, _ = _run(["import os; print(os.getuid())", "while True:\n    pass", "print('still alive')"], tmp_path)
    assert out[0] == ["65534\n"] and "still alive\n" in out[2], out


@pytest.mark.slow
@pytest.mark.parametrize(
    "env,said",
    [
        (NOTHING_LEFT, "Landlock is asked for by AUTOGRADER_SANDBOX=landlock, and this kernel has none"),
        ({"AUTOGRADER_SANDBOX": "bubblewrap", "PATH": "/usr/local/bin"}, "bwrap is not installed now"),
    ],
)
def test_launcher_refuses_to_start_a_kernel_it_cannot_confine(tmp_path, env, said):
    marker = tmp_path / "ran"
    proc = _run_raw([f"open({str(marker)!r}, 'w').write('ran')"], tmp_path, env=env)
    assert proc.returncode != 0 and "Kernel died before replying" in proc.stderr
    assert "NOT RUN: the sandbox could not be set up for this notebook" in proc.stderr and said in proc.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_launcher_without_a_sandbox_by_choice_says_so(reachable_tmp):
    code = "import os; print(os.environ.get('TWO_LAYER_NET_GRADER_SOCKET'))"
    out, stderr = _run([code], reachable_tmp, env=UNCONFINED)
    assert out[0][0].strip().endswith("grader.sock")  # still the launcher: the grader outside gives the verdicts
    assert "WARNING: the notebook runs WITHOUT a sandbox (AUTOGRADER_SANDBOX=none)" in stderr


@pytest.mark.slow
@pytest.mark.alone  # a 20,000-line flood against nbclient's output timeout: a second pytest worker's load decides it
@pytest.mark.parametrize("mode", ["sandbox", "no bubblewrap", "plain"])
def test_kernel_queues_output_floods_instead_of_dropping_them(reachable_tmp, mode):
    """ZeroMQ drops IOPub messages past its high-water mark (1,000) when nbclient reads slower
    than a cell prints, the closing "idle" among them, and nbgrader then drops the submission
    (seen with a correct notebook full of debug prints). The course's kernel has no such limit;
    its working folder is still importable."""
    env = {"sandbox": {}, "no bubblewrap": {"AUTOGRADER_SANDBOX": "landlock"}, "plain": UNCONFINED}[mode]
    if mode != "plain" and not _available(env):
        pytest.skip(f"no sandbox here ({mode})")
    tmp_path = reachable_tmp
    (tmp_path / "mymodule.py").write_text("VALUE = 42\n")
    out, _ = _run(
        [
            "import zmq; k = get_ipython().kernel.iopub_thread\n"
            "print(k.socket.getsockopt(zmq.SNDHWM), k.socket.getsockopt(zmq.RCVHWM))",
            "for i in range(20000):\n    print('debug', i, flush=True)",
            "import mymodule; print('after the flood', mymodule.VALUE)",
        ],
        tmp_path,
        env=env,
        timeout=120,
    )
    assert out[0] == ["0 0\n"], out[0]
    assert out[2] == ["after the flood 42\n"]


def _available(env: dict[str, str]) -> bool:
    code = "from autograder.nbgrader.kernel import confinement; print(confinement.available()[0])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env})
    return proc.stdout.strip() == "True"


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_blas_survives_processes_left_at_the_limit(reachable_tmp, mode):
    """OpenBLAS stops its threads at every fork and starts them again at its next call. A cell
    that leaves as many processes as the kernel may have (zombies: never waited for) used to
    leave the next matrix product waiting for its threads forever; now BLAS runs on one thread
    after a fork, and the launcher stops what the notebook left running at the limit."""
    if not _available(MODES[mode]):
        pytest.skip(f"no sandbox here ({mode})")
    fork = (
        "import os\nkids = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            os._exit(0)\n"
        "        kids += 1\nexcept OSError as exc:\n    print('limit after', kids, type(exc).__name__)"
    )
    product = "import numpy as np\na = np.ones((500, 500))\nprint('blas', (a @ a)[0, 0])"
    env = {**MODES[mode], "OPENBLAS_NUM_THREADS": "2"}
    out, stderr = _run([product, fork, product], reachable_tmp, env=env, timeout=60)
    assert out[1][0].startswith("limit after ") and out[1][0].endswith("BlockingIOError\n"), out
    assert out[2] == ["blas 500.0\n"], (out, stderr[-2000:])
