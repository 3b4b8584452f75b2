"""The test cases of the scikit-learn tuning protocol (Bayesmark's, as used by
the NeurIPS 2020 black-box optimization challenge), restated for this
benchmark: a model, one of scikit-learn's bundled datasets and a metric.

The objective an optimizer sees is the mean 5-fold cross-validation loss on
80% of the data (split once with a fixed seed); the other 20% gives the
generalization loss, recorded but never shown to the optimizer.

Search spaces (the protocol's ranges and scales):
  real/int with "linear", "log" or "logit" scale, and "bool" (a choice of
  False/True). A logit parameter is uniform in log(x / (1 - x)).
Departures, forced by scikit-learn 1.2 (Debian 12): the regression lasso's
and ridge's `normalize` flag no longer exists and is left out, and
MLP-sgd is not part of this benchmark (the issue's model list).
"""
import math
import warnings

MODELS = ("DT", "MLP-adam", "RF", "SVM", "ada", "kNN", "lasso", "linear")
DATASETS = ("breast", "digits", "iris", "wine", "diabetes")
CLF_METRICS = ("nll", "acc")
REG_METRICS = ("mae", "mse")
CV_SPLITS = 5
SPLIT_SEED = 0

_SCORER = {"nll": "neg_log_loss", "acc": "accuracy", "mae": "neg_mean_absolute_error",
           "mse": "neg_mean_squared_error"}


def _r(lo, hi, scale="linear"):
    return ("real", scale, lo, hi)


def _i(lo, hi, scale="linear"):
    return ("int", scale, lo, hi)


_BOOL = ("bool", None, 0, 1)

_TREE = {"max_depth": _i(1, 15), "min_samples_split": _r(0.01, 0.99, "logit"),
         "min_samples_leaf": _r(0.01, 0.49, "logit"),
         "min_weight_fraction_leaf": _r(0.01, 0.49, "logit"),
         "max_features": _r(0.01, 0.99, "logit"), "min_impurity_decrease": _r(0.0, 0.5)}
SPACES = {
    "kNN": {"n_neighbors": _i(1, 25), "p": _i(1, 4)},
    "SVM": {"C": _r(1.0, 1e3, "log"), "gamma": _r(1e-4, 1e-3, "log"),
            "tol": _r(1e-5, 1e-1, "log")},
    "DT": dict(_TREE),
    "RF": dict(_TREE),
    "MLP-adam": {"hidden_layer_sizes": _i(50, 200), "alpha": _r(1e-5, 1e1, "log"),
                 "batch_size": _i(10, 250), "learning_rate_init": _r(1e-5, 1e-1, "log"),
                 "tol": _r(1e-5, 1e-1, "log"), "validation_fraction": _r(0.1, 0.9, "logit"),
                 "beta_1": _r(0.5, 0.99, "logit"), "beta_2": _r(0.9, 1.0 - 1e-6, "logit"),
                 "epsilon": _r(1e-9, 1e-6, "log")},
    "ada": {"n_estimators": _i(10, 100), "learning_rate": _r(1e-4, 1e1, "log")},
    "lasso": {"C": _r(1e-2, 1e2, "log"), "intercept_scaling": _r(1e-2, 1e2, "log")},
    "linear": {"C": _r(1e-2, 1e2, "log"), "intercept_scaling": _r(1e-2, 1e2, "log")},
}
SPACES_REG = dict(SPACES)
SPACES_REG["lasso"] = {"alpha": _r(1e-2, 1e2, "log"), "fit_intercept": _BOOL,
                       "max_iter": _i(10, 5000, "log"), "tol": _r(1e-5, 1e-1, "log"),
                       "positive": _BOOL}
SPACES_REG["linear"] = {"alpha": _r(1e-2, 1e2, "log"), "fit_intercept": _BOOL,
                        "max_iter": _i(10, 5000, "log"), "tol": _r(1e-4, 1e-1, "log")}


def _estimator(model, regression):
    from sklearn import ensemble, linear_model, neighbors, neural_network, svm, tree
    if regression:
        return {"kNN": (neighbors.KNeighborsRegressor, {}),
                "SVM": (svm.SVR, {"kernel": "rbf"}),
                "DT": (tree.DecisionTreeRegressor, {"max_leaf_nodes": None}),
                "RF": (ensemble.RandomForestRegressor, {"n_estimators": 10,
                                                        "max_leaf_nodes": None}),
                "MLP-adam": (neural_network.MLPRegressor, {"solver": "adam",
                                                           "early_stopping": True}),
                "ada": (ensemble.AdaBoostRegressor, {}),
                "lasso": (linear_model.Lasso, {}),
                "linear": (linear_model.Ridge, {"solver": "auto"})}[model]
    return {"kNN": (neighbors.KNeighborsClassifier, {}),
            "SVM": (svm.SVC, {"kernel": "rbf", "probability": True}),
            "DT": (tree.DecisionTreeClassifier, {"max_leaf_nodes": None}),
            "RF": (ensemble.RandomForestClassifier, {"n_estimators": 10,
                                                     "max_leaf_nodes": None}),
            "MLP-adam": (neural_network.MLPClassifier, {"solver": "adam",
                                                        "early_stopping": True}),
            "ada": (ensemble.AdaBoostClassifier, {}),
            "lasso": (linear_model.LogisticRegression,
                      {"penalty": "l1", "fit_intercept": True, "solver": "liblinear",
                       "multi_class": "ovr"}),
            "linear": (linear_model.LogisticRegression,
                       {"penalty": "l2", "fit_intercept": True, "solver": "liblinear",
                        "multi_class": "ovr"})}[model]


def is_regression(dataset):
    return dataset == "diabetes"


def metrics(dataset):
    return REG_METRICS if is_regression(dataset) else CLF_METRICS


def cases(models=MODELS, datasets=DATASETS, metric_list=None):
    """Every (model, dataset, metric) test case, in a fixed order."""
    out = []
    for m in models:
        for d in datasets:
            for k in metrics(d):
                if metric_list is None or k in metric_list:
                    out.append((m, d, k))
    return out


def space(model, dataset):
    return (SPACES_REG if is_regression(dataset) else SPACES)[model]


class Problem:
    """One test case as an objective: evaluate(params) -> (cv_loss, test_loss).
    params hold the model's keyword values (ints as int, bools as bool)."""

    def __init__(self, model, dataset, metric):
        from sklearn import datasets, metrics as skm, model_selection
        loader = {"breast": datasets.load_breast_cancer, "digits": datasets.load_digits,
                  "iris": datasets.load_iris, "wine": datasets.load_wine,
                  "diabetes": datasets.load_diabetes}[dataset]
        X, y = loader(return_X_y=True)
        self.model, self.dataset, self.metric = model, dataset, metric
        self.regression = is_regression(dataset)
        self.cls, self.fixed = _estimator(model, self.regression)
        self.space = space(model, dataset)
        self.X, self.Xt, self.y, self.yt = model_selection.train_test_split(
            X, y, test_size=0.2, random_state=SPLIT_SEED, shuffle=True)
        self.scorer = skm.get_scorer(_SCORER[metric])
        self._cv = model_selection.cross_val_score

    @property
    def name(self):
        return f"{self.model}_{self.dataset}_{self.metric}"

    def evaluate(self, params):
        kw = dict(params)
        kw.update(self.fixed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                s = self._cv(self.cls(**kw), self.X, self.y, scoring=self.scorer,
                             cv=CV_SPLITS)
                cv_loss = -float(sum(s) / len(s))
                est = self.cls(**kw).fit(self.X, self.y)
                test_loss = -float(self.scorer(est, self.Xt, self.yt))
            except (ValueError, ArithmeticError):
                return math.inf, math.inf
        if not math.isfinite(cv_loss):
            return math.inf, math.inf
        return cv_loss, test_loss
