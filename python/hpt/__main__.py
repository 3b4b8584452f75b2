"""python3 -m hpt report JOURNAL -o report.html
python3 -m hpt dashboard JOURNAL [--port 8080] [--host 127.0.0.1]"""
import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m hpt",
                                 description="Reports and a live dashboard of libhpt jobs.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="write a self-contained HTML report of a journal")
    r.add_argument("journal")
    r.add_argument("-o", "--output", default="report.html")
    r.add_argument("--title")
    d = sub.add_parser("dashboard", help="serve a live, read-only view of a journal")
    d.add_argument("journal")
    d.add_argument("--port", type=int, default=8080)
    d.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    d.add_argument("--poll", type=float, default=2.0, help="seconds between checks")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "report":
            from . import report
            report.write(a.journal, a.output, a.title)
            print("hpt: wrote %s" % a.output)
        else:
            from . import dashboard
            dashboard.serve(a.journal, a.port, a.host, int(a.poll * 1000))
    except ImportError as e:
        print("hpt: %s (Debian: apt install python3-matplotlib)" % e, file=sys.stderr)
        return 3
    except (OSError, ValueError) as e:
        print("hpt: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
