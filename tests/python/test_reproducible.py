"""Study(..., reproducible=...) with optimize(n_jobs=k): the same trials on
every run, whatever the threads' timing (hpt.h, "Reproducibility").

The objective sleeps a random time (from an unseeded generator), so the
trials finish in another order on every run; it reports to the median
pruner, whose decisions are compared too."""
import math
import random
import time

import pytest

import hpt

N_TRIALS = 30


def space():
    return {
        "x": hpt.Float(-1.0, 2.0),
        "lr": hpt.Float(1e-4, 1.0, log=True),
        "kind": hpt.Categorical(["a", "b", "c"]),
    }


def objective(trial):
    p = trial.params
    v = ((p["x"] - 0.4) ** 2 + 0.3 * math.sin(5 * p["x"])
         + 0.2 * (math.log10(p["lr"]) + 2) ** 2 + (0.0 if p["kind"] == "b" else 0.3))
    budget = trial.budget or 0.0
    v += 1.0 / (1.0 + budget)
    rng = random.Random()  # timing differs on every run
    for step in (1, 2, 3):
        time.sleep(rng.random() * 0.004)
        if trial.report(step, v + 1.0 / step):
            raise hpt.TrialPruned()
    return v


def listing(study):
    return [(t.id, tuple(float(x).hex() if isinstance(x, float) else x
                         for x in t.params.values()),
             t.budget, t.parent, t.state, t.value) for t in study.trials]


def run(strategy, reproducible, n_jobs, **options):
    study = hpt.Study(space(), strategy, seed=99, reproducible=reproducible,
                      pruner="median", pruner__warmup_trials=3, **options)
    study.optimize(objective, n_trials=N_TRIALS, n_jobs=n_jobs,
                   show_progress_bar=False)
    assert len(study) == N_TRIALS
    return study, listing(study)


STRATEGIES = [("random", {}), ("bayes", {}),
              ("hyperband", {"hyperband__sampler": "bayes"})]


@pytest.mark.parametrize("strategy,options", STRATEGIES)
@pytest.mark.parametrize("n_jobs", [1, 2, 4])
def test_same_n_jobs_same_trials(strategy, options, n_jobs):
    """reproducible=True takes q = n_jobs: two runs agree."""
    a, ta = run(strategy, True, n_jobs, **options)
    assert a.get_option("parallel.reproducible") == n_jobs
    _, tb = run(strategy, True, n_jobs, **options)
    assert ta == tb


@pytest.mark.parametrize("strategy,options", STRATEGIES)
def test_fixed_q_any_n_jobs(strategy, options):
    """reproducible=4: 1, 2 and 4 jobs give the same trials."""
    runs = [run(strategy, 4, n, **options)[1] for n in (1, 2, 4)]
    assert runs[0] == runs[1] == runs[2]
    assert any(t[4] == hpt.TrialState.PRUNED for t in runs[0]) or strategy == "hyperband"


def test_default_is_off():
    study = hpt.Study(space(), "random", seed=1)
    assert study.get_option("parallel.reproducible") == 0
    study.optimize(lambda t: 0.0, n_trials=2, n_jobs=2, show_progress_bar=False)
    assert study.get_option("parallel.reproducible") == 0


def test_ask_before_optimize_takes_one():
    study = hpt.Study(space(), "random", seed=1, reproducible=True)
    study.ask()
    assert study.get_option("parallel.reproducible") == 1


def test_bad_value():
    with pytest.raises(ValueError):
        hpt.Study(space(), "random", seed=1, reproducible=-1)


def test_journal_keeps_q(tmp_path):
    j = tmp_path / "r.jnl"
    a = hpt.Study(space(), "bayes", seed=5, journal=j, reproducible=True)
    a.optimize(objective, n_trials=12, n_jobs=3, show_progress_bar=False)
    first = listing(a)
    a.close()
    b = hpt.Study(space(), "bayes", seed=5, journal=j, reproducible=True)
    assert b.get_option("parallel.reproducible") == 3
    b.optimize(objective, n_trials=8, n_jobs=2, show_progress_bar=False)
    c = hpt.Study(space(), "bayes", seed=5, reproducible=3)
    c.optimize(objective, n_trials=20, n_jobs=1, show_progress_bar=False)
    assert listing(b)[:12] == first
    assert listing(b) == listing(c)
