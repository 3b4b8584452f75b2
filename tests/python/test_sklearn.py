"""hpt.sklearn: HptSearchCV with GridSearchCV's conventions, and the
successive-halving variant."""
import warnings

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("sklearn")
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.kernel_ridge import KernelRidge  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV  # noqa: E402

import hpt  # noqa: E402
from hpt.sklearn import HptHalvingSearchCV, HptSearchCV  # noqa: E402


def test_grid_strategy_matches_grid_search_cv_on_the_same_grid():
    X, y = load_diabetes(return_X_y=True)
    grid = {"alpha": [1e-3, 1e-2, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    ref = GridSearchCV(Ridge(), grid, cv=3).fit(X, y)
    mine = HptSearchCV(Ridge(), grid, strategy="grid", n_iter=None, cv=3,
                       random_state=0).fit(X, y)
    assert mine.best_params_ == ref.best_params_
    assert mine.best_score_ == pytest.approx(ref.best_score_)
    assert set(mine.cv_results_) == set(ref.cv_results_)
    key = lambda p: sorted(p.items())  # noqa: E731
    assert sorted(map(key, mine.cv_results_["params"])) == sorted(map(key, ref.cv_results_["params"]))
    assert mine.predict(X[:5]) == pytest.approx(ref.predict(X[:5]))
    assert mine.score(X, y) == pytest.approx(ref.score(X, y))


def _task():
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, (150, 2))
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + 0.1 * rng.randn(150)
    return X, y, KFold(3, shuffle=True, random_state=0)


def test_bayes_beats_randomized_search_over_five_seeds():
    X, y, cv = _task()
    space = {"alpha": hpt.Float(1e-6, 10, log=True), "gamma": hpt.Float(1e-3, 1e3, log=True)}
    dists = {"alpha": loguniform(1e-6, 10), "gamma": loguniform(1e-3, 1e3)}
    mine, theirs = [], []
    for seed in range(5):
        mine.append(HptSearchCV(KernelRidge(kernel="rbf"), space, n_iter=15, cv=cv,
                                random_state=seed).fit(X, y).best_score_)
        theirs.append(RandomizedSearchCV(KernelRidge(kernel="rbf"), dists, n_iter=15, cv=cv,
                                         random_state=seed).fit(X, y).best_score_)
    assert np.mean(mine) > np.mean(theirs), (mine, theirs)


def test_conventions_refit_multimetric_and_determinism():
    X, y = load_iris(return_X_y=True)
    space = {"C": hpt.Float(1e-2, 1e2, log=True), "fit_intercept": [True, False]}
    s = HptSearchCV(LogisticRegression(max_iter=500), space, n_iter=6, cv=3,
                    random_state=1).fit(X, y)
    assert len(s.cv_results_["params"]) == 6
    assert 1e-2 <= s.best_params_["C"] <= 1e2
    assert s.best_estimator_.C == s.best_params_["C"]
    assert s.predict(X).shape == y.shape and 0 <= s.score(X, y) <= 1
    assert s.best_index_ == int(np.argmin(s.cv_results_["rank_test_score"]))
    m = HptSearchCV(LogisticRegression(max_iter=500), space, n_iter=4, cv=3, random_state=1,
                    scoring={"acc": "accuracy", "f1": "f1_macro"}, refit="f1").fit(X, y)
    assert "mean_test_f1" in m.cv_results_ and len(m.cv_results_["params"]) == 4
    n = HptSearchCV(LogisticRegression(max_iter=500), space, n_iter=3, cv=3,
                    random_state=1, refit=False).fit(X, y)
    assert not hasattr(n, "best_estimator_")
    a = HptSearchCV(Ridge(), {"alpha": hpt.Float(0.1, 10)}, n_iter=4, cv=3, random_state=5)
    b = HptSearchCV(Ridge(), {"alpha": hpt.Float(0.1, 10)}, n_iter=4, cv=3, random_state=5)
    Xd, yd = load_diabetes(return_X_y=True)
    assert a.fit(Xd, yd).cv_results_["params"] == b.fit(Xd, yd).cv_results_["params"]
    with pytest.raises(TypeError, match="hpt.Float"):
        HptSearchCV(Ridge(), {"alpha": loguniform(0.1, 10)}, n_iter=2).fit(Xd, yd)


def test_a_candidate_whose_fits_all_fail_is_a_failed_trial_and_the_search_goes_on():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = HptSearchCV(LogisticRegression(max_iter=200),
                        {"C": [-1.0, 1.0, 2.0]}, strategy="grid", n_iter=None, cv=3,
                        random_state=0, error_score=np.nan).fit(X, y)
    assert s.best_params_["C"] in (1.0, 2.0)
    assert sorted(p["C"] for p in s.cv_results_["params"]) == [1.0, 2.0]


@pytest.mark.parametrize("resource", ["n_samples", "max_iter"])
def test_halving_variant(resource):
    X, y = load_iris(return_X_y=True)
    space = {"C": hpt.Float(1e-3, 1e3, log=True)}
    kw = {} if resource == "n_samples" else {"max_resources": 90, "min_resources": 10}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = HptHalvingSearchCV(LogisticRegression(max_iter=100), space, factor=3, cv=3,
                               resource=resource, random_state=0, **kw).fit(X, y)
    assert s.n_iterations_ >= 2 and s.n_candidates_[0] > s.n_candidates_[-1]
    assert {"iter", "n_resources"} <= set(s.cv_results_)
    assert 1e-3 <= s.best_params_["C"] <= 1e3
    first = [p["C"] for p, it in zip(s.cv_results_["params"], s.cv_results_["iter"]) if it == 0]
    # A sobol design: one candidate per equal slice of the log range.
    logs = np.sort(np.log10(first))
    slices = np.floor((logs + 3) / 6 * len(first)).astype(int)
    assert len(set(slices)) >= 0.6 * len(first)
