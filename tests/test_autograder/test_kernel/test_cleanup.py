"""What the sandboxed kernel leaves behind (autograder/nbgrader/kernel/cleanup.py)."""

import os

from autograder.nbgrader.kernel import cleanup


def test_folder_clean_up_removes_links_and_special_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "keep.txt").write_text("x")
    (tmp_path / "sub" / "link").symlink_to("/etc/hostname")
    (tmp_path / "dirlink").symlink_to(tmp_path / "sub")
    os.mkfifo(tmp_path / "fifo")
    removed = cleanup.sanitize_folder(tmp_path)
    assert sorted(removed) == ["dirlink", "fifo", "sub/link"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["keep.txt", "sub"]
