#!/usr/bin/python3
"""A tiny "training program" for the hpt-tune tests: a closed-form objective
with a fake epoch loop that prints intermediate validation losses.

    objective = (log10(lr) + 3)^2 + 0.1 (layers - 2)^2 + (0 if act == tanh else 0.5)

minimal (0) at lr = 1e-3, layers = 2, act = tanh. Each epoch e prints
"epoch e val_loss=<objective + 1/e>" (and sleeps --sleep seconds), then the
program prints "objective: <objective>".
"""
import argparse
import json
import math
import os
import random
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--act", default="tanh")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--sleep", type=float, default=0.0)
    ap.add_argument("--jitter", type=float, default=0.0,
                    help="also sleep a random time up to this per epoch (unseeded)")
    ap.add_argument("--bad-epochs-above", type=float, default=None,
                    help="objective above this: epochs print a constant high loss")
    ap.add_argument("--dump", default=None, help="write argv+env as JSON here")
    ap.add_argument("--stamp", default=None, help="append 'start end' times here")
    ap.add_argument("--fail-if", default=None, help="exit 3 when act equals this")
    ap.add_argument("--hang-if", default=None, help="sleep forever when act equals this")
    ap.add_argument("--no-metric", action="store_true")
    a = ap.parse_args()
    t0 = time.time()
    if a.dump:
        env = {k: v for k, v in os.environ.items() if k.startswith("HPT_")}
        with open(a.dump, "w") as f:
            json.dump({"argv": sys.argv[1:], "env": env}, f)
    f_val = (math.log10(a.lr) + 3) ** 2 + 0.1 * (a.layers - 2) ** 2 + (0 if a.act == "tanh" else 0.5)
    if a.fail_if is not None and a.act == a.fail_if:
        print("simulated crash", flush=True)
        sys.exit(3)
    if a.hang_if is not None and a.act == a.hang_if:
        print("hanging", flush=True)
        while True:
            time.sleep(1)
    for e in range(1, a.epochs + 1):
        loss = f_val + 1.0 / e
        if a.bad_epochs_above is not None and f_val > a.bad_epochs_above:
            loss = 100.0
        print(f"epoch {e} val_loss={loss!r}", flush=True)
        if a.sleep:
            time.sleep(a.sleep)
        if a.jitter:
            time.sleep(random.random() * a.jitter)
    if not a.no_metric:
        print(f"objective: {f_val!r}", flush=True)
    if a.stamp:
        with open(a.stamp, "a") as f:
            f.write(f"{t0} {time.time()}\n")


if __name__ == "__main__":
    main()
