"""Make the report screenshots in docs/ from a short digits Hyperband job.

    make lib build/hpt-train-digits
    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python /usr/bin/python3 docs/make_screenshots.py

The job tunes bench/'s digits network (build/hpt-train-digits: one
training run per trial, checkpoints so that a promotion trains only the
missing epochs) with strategy hyperband (ASHA, 1..27 epochs, eta 3) on two
worker threads, into a journal; the report of that journal is shot with
headless Chromium. The two-objective report is of a real two-objective
study: bayes (log-EHVI) minimizing each 9-epoch training's validation
error and the size of its network (weights), told to the library with
hpt_study_tell_values, reported from its journal.
Writes docs/report-digits.png, docs/report-digits-plots.png and
docs/report-two-objectives.png (with --two-objectives, only the last);
the HTML files go to a temporary directory."""
import os
import re
import subprocess
import sys
import tempfile

import hpt
import hpt.report
from hpt.visualization import read_journal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(ROOT, "build", "hpt-train-digits")
CHROMIUM = "/usr/bin/chromium"

SPACE = {"lr": hpt.Float(1e-4, 3.0, log=True),
         "momentum": hpt.Float(0.0, 0.99, scale="reverse_log"),
         "weight_decay": hpt.Float(1e-6, 1e-1, log=True),
         "hidden": hpt.Int(8, 256, log=True), "batch": hpt.Int(8, 256, log=True),
         "activation": hpt.Categorical(["relu", "tanh", "sigmoid"])}


def run_job(work):
    journal = os.path.join(work, "digits.hptj")
    study = hpt.Study(SPACE, strategy="hyperband", seed=1, journal=journal, max_trials=150,
                      hyperband__max_resource=27, hyperband__min_resource=1,
                      hyperband__eta=3, hyperband__sampler="bayes")

    def train(trial):
        p = trial.params
        ck = os.path.join(work, "ck%d" % trial.id)
        cmd = [TRAIN, "--lr", repr(p["lr"]), "--momentum", repr(p["momentum"]),
               "--weight-decay", repr(p["weight_decay"]), "--hidden", str(p["hidden"]),
               "--batch", str(p["batch"]), "--activation", p["activation"],
               "--epochs", str(int(trial.budget)), "--save", ck]
        if trial.parent is not None and os.path.exists(os.path.join(work, "ck%d" % trial.parent)):
            cmd += ["--load", os.path.join(work, "ck%d" % trial.parent)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        for m in re.finditer(r"epoch (\d+) val_loss=\S+ val_error=(\S+)", r.stdout):
            if m.group(2) != "nan":
                trial.report(int(m.group(1)), float(m.group(2)))
        if r.returncode == 3:
            raise FloatingPointError("training diverged")
        if r.returncode:
            raise RuntimeError("exit status %d" % r.returncode)
        return float(r.stdout.rsplit("objective=", 1)[1].split()[0])

    study.optimize(train, n_jobs=2, catch=(FloatingPointError, RuntimeError))
    study.close()
    return journal


def two_objectives(work):
    """Full 9-epoch trainings tuned for two objectives: validation error and
    the network's number of weights (64 inputs, 10 classes)."""
    study = hpt.Study(SPACE, strategy="bayes", seed=2, max_trials=60,
                      directions=["minimize", "minimize"],
                      journal=os.path.join(work, "flat.hptj"))
    while (t := study.ask()) is not None:
        p = t.params
        r = subprocess.run([TRAIN, "--lr", repr(p["lr"]), "--momentum", repr(p["momentum"]),
                            "--weight-decay", repr(p["weight_decay"]),
                            "--hidden", str(p["hidden"]), "--batch", str(p["batch"]),
                            "--activation", p["activation"], "--epochs", "9"],
                           capture_output=True, text=True)
        if r.returncode:
            t.tell_failed("diverged" if r.returncode == 3 else "exit %d" % r.returncode)
        else:
            h = p["hidden"]
            weights = 64 * h + h + 10 * h + 10
            t.tell([float(r.stdout.rsplit("objective=", 1)[1].split()[0]), float(weights)])
    sd = read_journal(study.journal)
    study.close()
    # the journal has no names for the objectives
    sd.name, sd.objectives = "digits: error and network size", ("validation error", "weights")
    return sd


def shoot(html, png, height, only=None, work="."):
    """Screenshot the top of the page; only: show just the plots with these
    titles (a copy of the page with a style that hides the rest)."""
    page = html
    if only:
        keep = ",".join('.plot[data-title="%s"]' % t for t in only)
        style = "<style>body>*{display:none!important}%s{display:block!important}</style>" % keep
        text = open(html, encoding="utf-8").read().replace("</head>", style + "</head>")
        page = html[:-5] + "-only.html"
        open(page, "w", encoding="utf-8").write(text)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--user-data-dir=%s" % os.path.join(work, "profile"),
                    "--window-size=1100,%d" % height, "--screenshot=%s" % png,
                    "file://" + os.path.abspath(page)], check=True, capture_output=True)


def main():
    work = tempfile.mkdtemp(prefix="hpt-docs-")
    docs = os.path.join(ROOT, "docs")
    if "--two-objectives" not in sys.argv[1:]:
        journal = run_job(work)
        out = os.path.join(work, "digits.html")
        hpt.report.write(journal, out, "hpt report: digits network, Hyperband (ASHA)")
        shoot(out, os.path.join(docs, "report-digits.png"), 1500, work=work)
        shoot(out, os.path.join(docs, "report-digits-plots.png"), 1400,
              ["Hyperband rungs and promotions", "Intermediate values", "Timeline"],
              work=work)
    out2 = os.path.join(work, "two.html")
    hpt.report.write(two_objectives(work), out2)
    shoot(out2, os.path.join(docs, "report-two-objectives.png"), 1250, work=work)
    print("journal and reports in", work, file=sys.stderr)


if __name__ == "__main__":
    main()
