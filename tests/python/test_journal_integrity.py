"""Through the Python binding: a journal with a whole record deleted in the
middle is refused naming the line (it used to reopen with the told trial
running again), and CSV export does not write through a symbolic link
planted at the temporary name it used to use."""
import os

import pytest

import hpt


def test_deleted_tell_is_corrupt(tmp_path):
    p = tmp_path / "del.jnl"
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random", journal=p)
    for _ in range(5):
        s.tell(s.ask(), 1.0)
    s.close()
    lines = p.read_bytes().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.startswith(b"tell 1 "))
    p.write_bytes(b"".join(lines[:i] + lines[i + 1:]))
    with pytest.raises(hpt.CorruptJournal, match="line %d:" % (i + 1)):
        hpt.Study({"x": hpt.Float(0, 1)}, "random", journal=p)


def test_export_does_not_follow_a_planted_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.csv"
    planted = tmp_path / ("out.csv.tmp%d" % os.getpid())
    planted.symlink_to(victim)
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    s.tell(s.ask(), 1.0)
    s.export_csv(str(out))
    assert victim.read_text() == "precious\n"
    assert out.read_text().startswith("id,state,x")
