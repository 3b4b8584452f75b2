"""How long hpt.load_study takes on a plain journal of N trials (default
10,000; random strategy, 4 parameters): the first load (no path.hpt-run
history yet) and a later one (after the loaded study was written to, so
the history exists), each the median of 5, trials read included.

    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python nice /usr/bin/python3 bench/load_study.py [N]
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

import hpt

SPACE = {"x": hpt.Float(-5, 5), "y": hpt.Float(1e-3, 1, log=True), "k": hpt.Int(1, 10),
         "c": hpt.Categorical(["a", "b", "c"])}


def make(path, n):
    with hpt.Study(SPACE, "random", "minimize", 7, journal=path) as st:
        for i in range(n):
            t = st.ask()
            if i % 50 == 3:
                st.tell_failed(t, "failed")
                continue
            t.report(1, 0.5)
            st.tell(t, t.params["x"] ** 2 + t.params["k"])


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    with tempfile.TemporaryDirectory() as d:
        src, path = os.path.join(d, "src.jnl"), os.path.join(d, "job.jnl")
        make(src, n)
        first, later = [], []
        for _ in range(5):
            for f in (path, path + ".hpt-run"):
                if os.path.exists(f):
                    os.unlink(f)
            shutil.copy(src, path)
            t0 = time.perf_counter()
            st = hpt.load_study(path)
            assert len(st.trials) == n
            first.append(time.perf_counter() - t0)
            st.set_user_attr("bench", 1)        # written to: the history exists
            st.close()
            t0 = time.perf_counter()
            st = hpt.load_study(path)
            assert len(st.trials) == n
            later.append(time.perf_counter() - t0)
            st.close()
        print("load_study, %d trials, journal %.1f MB, history %.1f MB: first %.3f s, "
              "later %.3f s (medians of 5; load average %.1f)"
              % (n, os.path.getsize(path) / 1e6, os.path.getsize(path + ".hpt-run") / 1e6,
                 statistics.median(first), statistics.median(later), os.getloadavg()[0]))


if __name__ == "__main__":
    main()
