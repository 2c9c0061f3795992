"""twolayer.cpus: the BLAS threads chosen from the CPUs a process may use (affinity, cgroup quota,
jobs, other processes' load, the environment), and the reader of those numbers, on fake
/proc and /sys trees laid out as Linux lays them out (and one live cgroup v1 quota where this
machine lets a test make one)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from twolayer import cpus
from twolayer.cpus import Cpus, blas_threads, threads_for

# --- the choice ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "jobs", "threads"),
    [
        (Cpus(affinity=2, online=2, others=0), 1, 2),  # a quiet 2-core machine: both cores
        (Cpus(affinity=2, online=2, others=1), 1, 1),  # one other process running: one core left
        (Cpus(affinity=2, online=2, others=2), 1, 1),  # two: still one thread, never none
        (Cpus(affinity=2, online=2, others=0.4), 1, 1),  # now and then busy: a whole core is not free
        (Cpus(affinity=2, online=2, others=0), 2, 1),  # --jobs 2 share the two cores
        (Cpus(affinity=8, online=8, others=1), 2, 4),  # 8 cores, 2 jobs, one other: 4 each
        (Cpus(affinity=8, online=8, others=5), 2, 3),  # ... five others: 3 free
        (Cpus(affinity=64, quota=1.0, online=64, others=3), 1, 1),  # Gradescope: 1 CPU of a big host
        (Cpus(affinity=64, quota=0.5, online=64, others=0), 1, 1),  # half a CPU: still one thread
        (Cpus(affinity=64, quota=2.5, online=64, others=0), 1, 2),  # 2.5 CPUs: 2 whole ones
        (Cpus(affinity=2, online=16, others=3), 1, 2),  # taskset to 2 of 16, 13 free
        (Cpus(affinity=4, online=4), 1, 4),  # load unreadable: affinity alone
        (Cpus(affinity=4, online=4, others=0, asked=1), 1, 1),  # OPENBLAS_NUM_THREADS=1 is kept
        (Cpus(affinity=4, online=4, others=0, asked=8), 1, 4),  # ... but never raised to
        (Cpus(affinity=1), 4, 1),  # more jobs than CPUs
    ],
)
def test_threads_for(given, jobs, threads):
    assert threads_for(given, jobs) == threads


def test_digits_trains_on_one_thread_whatever_the_cpus():
    quiet = Cpus(affinity=8, online=8, others=0)
    assert blas_threads("digits", 1, quiet) == 1
    assert blas_threads("cifar10", 1, quiet) == 8


# --- the reader ------------------------------------------------------------------------------


def fake_root(
    tmp_path: Path, cgroup: str, files: dict[str, str], loadavg: str | None = "0.00 0.00 0.00 1/100 1"
) -> Path:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    if loadavg is not None:
        (tmp_path / "proc/loadavg").write_text(loadavg + "\n")
    for name, text in files.items():
        path = tmp_path / "sys/fs/cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return tmp_path


def test_cgroup_v2_quota_is_the_smallest_along_the_hierarchy(tmp_path):
    root = fake_root(
        tmp_path,
        "0::/user.slice/hub.slice/jupyter-ada.scope\n",
        {
            "cpu.stat": "usage_usec 0",  # the root cgroup has no cpu.max
            "user.slice/cpu.max": "max 100000",
            "user.slice/hub.slice/cpu.max": "150000 100000",  # the hub's limit: 1.5 CPUs
            "user.slice/hub.slice/jupyter-ada.scope/cpu.max": "400000 100000",
        },
    )
    assert cpus.cgroup_quota(root) == 1.5


def test_cgroup_v2_without_a_quota(tmp_path):
    root = fake_root(tmp_path, "0::/\n", {"cpu.max": "max 100000"})
    assert cpus.cgroup_quota(root) is None


def test_cgroup_v2_container_without_its_own_namespace_reads_its_mount(tmp_path):
    # /proc/self/cgroup names the host's path; /sys/fs/cgroup is the container's own cgroup.
    root = fake_root(tmp_path, "0::/system.slice/docker-abc.scope\n", {"cpu.max": "100000 100000"})
    assert cpus.cgroup_quota(root) == 1.0


def test_cgroup_v1_quota_of_the_cpu_controller(tmp_path):
    root = fake_root(
        tmp_path,
        "12:memory:/job\n4:cpu,cpuacct:/slurm/job42\n1:name=systemd:/\n",
        {
            "cpu,cpuacct/cpu.cfs_quota_us": "-1",
            "cpu,cpuacct/cpu.cfs_period_us": "100000",
            "cpu,cpuacct/slurm/job42/cpu.cfs_quota_us": "200000",
            "cpu,cpuacct/slurm/job42/cpu.cfs_period_us": "100000",
        },
    )
    assert cpus.cgroup_quota(root) == 2.0


def test_cgroup_v1_mounted_as_cpu_alone_and_no_quota(tmp_path):
    root = fake_root(
        tmp_path,
        "2:cpuacct:/\n1:cpu:/\n",
        {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"},
    )
    assert cpus.cgroup_quota(root) is None


def test_hybrid_hierarchy_takes_the_v1_quota(tmp_path):
    root = fake_root(
        tmp_path,
        "1:cpu:/box\n0::/box\n",
        {
            "unified/box/cgroup.procs": "",  # hybrid: v2 at /sys/fs/cgroup/unified, no cpu.max anywhere
            "cpu/box/cpu.cfs_quota_us": "50000",
            "cpu/box/cpu.cfs_period_us": "100000",
        },
    )
    assert cpus.cgroup_quota(root) == 0.5


def test_nothing_readable_means_no_quota_and_no_load(tmp_path):
    assert cpus.cgroup_quota(tmp_path) is None
    assert cpus.others_running(tmp_path, samples=3, interval=0) is None


def test_others_running_are_the_runnable_threads_less_this_one(tmp_path):
    root = fake_root(tmp_path, "0::/\n", {}, loadavg="5.10 4.00 3.00 3/412 9999")
    assert cpus.others_running(root, samples=3, interval=0) == 2


def test_read_gathers_affinity_quota_load_and_environment(tmp_path, monkeypatch):
    root = fake_root(tmp_path, "0::/\n", {"cpu.max": "100000 100000"}, loadavg="2.0 2.0 2.0 3/300 1")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    got = cpus.read(root, samples=2, interval=0)
    assert (got.affinity, got.quota, got.others, got.asked) == (4, 1.0, 2, 2)
    assert threads_for(got) == 1


def test_use_available_cpus_sets_numpys_blas_threads(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    monkeypatch.setattr(cpus, "read", lambda: Cpus(affinity=2, online=2, others=1))
    with threadpool_limits(2, user_api="blas"):  # restored afterwards
        said = cpus.use_available_cpus("cifar10")
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}
    assert said.startswith("BLAS threads: 1 (2 CPUs")


CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")


@pytest.mark.skipif(
    not (CGROUP_V1_CPU / "cpu.cfs_quota_us").exists() or not os.access(CGROUP_V1_CPU, os.W_OK),
    reason="needs a writable cgroup v1 cpu hierarchy (root on a cgroup v1 host)",
)
def test_a_real_cgroup_v1_quota_is_read_by_the_process_inside():
    group = CGROUP_V1_CPU / f"twolayer-test-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    try:
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("150000")
        code = (
            "import os, sys\n"
            f"open('{group}/cgroup.procs', 'w').write(str(os.getpid()))\n"
            "from twolayer import cpus\n"
            "print(cpus.cgroup_quota(cpus.Path('/')))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip() == "1.5"
    finally:
        group.rmdir()


def test_use_available_cpus_keeps_the_graders_choice(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    monkeypatch.setattr(cpus, "read", lambda: Cpus(affinity=2, online=2, others=2))  # would give 1
    monkeypatch.setenv(cpus.CHOSEN_VARIABLE, "2")
    with threadpool_limits(1, user_api="blas"):
        said = cpus.use_available_cpus("cifar10")
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {2}
    assert said == "BLAS threads: 2 (chosen by the grader, TWOLAYER_BLAS_THREADS)"


@pytest.mark.parametrize("value", ["", "0", "two"])
def test_no_usable_choice_of_the_grader_means_choosing_here(monkeypatch, value):
    monkeypatch.setattr(cpus, "read", lambda: Cpus(affinity=2, online=2, others=1))
    monkeypatch.setenv(cpus.CHOSEN_VARIABLE, value)
    assert cpus.use_available_cpus("cifar10").startswith("BLAS threads: 1 (2 CPUs")
