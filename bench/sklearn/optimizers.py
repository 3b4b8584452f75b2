"""The optimizers compared on the scikit-learn protocol, behind one batch
interface: suggest(n) returns n configurations to evaluate at once (the
protocol's parallel suggestions), observe(...) takes their losses back.

  hpt-bayes, hpt-random       libhpt through its Python binding (ask n
                              trials, evaluate, tell them)
  hpt-bayes-warp              hpt-bayes with bayes.warp=1 (input warping);
                              not in the default set
  optuna-tpe                  Optuna's TPESampler, defaults
  optuna-tpe-mv-cl            TPESampler(multivariate=True, constant_liar=True)
  optuna-cmaes                CmaEsSampler (categoricals by its independent
                              sampler, as Optuna does)

Every optimizer sees the same space. A logit-scale real is searched in
logit units by the samplers that have no logit scale (Optuna, and libhpt
builds without HPT_SCALE_LOGIT); a failed evaluation (a non-finite loss) is
told as a failure.
"""
import math
import warnings

METHODS = ("hpt-bayes", "hpt-random", "optuna-tpe", "optuna-tpe-mv-cl", "optuna-cmaes")
# libhpt variants on request: method name -> (strategy, options)
VARIANTS = {"hpt-bayes-warp": ("bayes", {"bayes.warp": 1})}


def _logit(x):
    return math.log(x / (1.0 - x))


def _expit(z):
    return 1.0 / (1.0 + math.exp(-z))


class _Hpt:
    def __init__(self, space, seed, strategy, n_total):
        import hpt
        self.hpt = hpt
        self.names = list(space)
        self.logit_native = "logit" in getattr(hpt, "SCALES", ()) or _has_logit(hpt)
        self.logit_wrapped = set()
        sp = {}
        for name, (kind, scale, lo, hi) in space.items():
            if kind == "bool":
                sp[name] = hpt.Categorical([False, True])
            elif kind == "int":
                sp[name] = hpt.Int(int(lo), int(hi), log=scale == "log")
            elif scale == "logit" and self.logit_native:
                sp[name] = hpt.Float(lo, hi, scale="logit")
            elif scale == "logit":
                self.logit_wrapped.add(name)
                sp[name] = hpt.Float(_logit(lo), _logit(hi))
            else:
                sp[name] = hpt.Float(lo, hi, log=scale == "log")
        self.study = hpt.Study(sp, strategy=strategy, direction="minimize", seed=seed,
                               max_trials=n_total)

    def suggest(self, n):
        out = []
        for _ in range(n):
            t = self.study.ask()
            if t is None:
                break
            p = dict(t.params)
            for name in self.logit_wrapped:
                p[name] = _expit(p[name])
            out.append((t, p))
        return out

    def observe(self, results):
        for t, loss in results:
            if math.isfinite(loss):
                self.study.tell(t, loss)
            else:
                self.study.tell_failed(t, "non-finite loss")


def _has_logit(hpt):
    try:
        hpt.Float(0.1, 0.9, scale="logit")
        return True
    except Exception:
        return False


class _Optuna:
    def __init__(self, space, seed, kind):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        self.optuna = optuna
        self.space = space
        if kind == "optuna-tpe":
            sampler = optuna.samplers.TPESampler(seed=seed)
        elif kind == "optuna-tpe-mv-cl":
            sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                                 constant_liar=True)
        else:
            sampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        self.study = optuna.create_study(direction="minimize", sampler=sampler)

    def _params(self, trial):
        p = {}
        for name, (kind, scale, lo, hi) in self.space.items():
            if kind == "bool":
                p[name] = trial.suggest_categorical(name, [False, True])
            elif kind == "int":
                p[name] = trial.suggest_int(name, int(lo), int(hi), log=scale == "log")
            elif scale == "logit":
                p[name] = _expit(trial.suggest_float(name, _logit(lo), _logit(hi)))
            else:
                p[name] = trial.suggest_float(name, lo, hi, log=scale == "log")
        return p

    def suggest(self, n):
        out = []
        for _ in range(n):
            t = self.study.ask()
            out.append((t, self._params(t)))
        return out

    def observe(self, results):
        for t, loss in results:
            if math.isfinite(loss):
                self.study.tell(t, loss)
            else:
                self.study.tell(t, state=self.optuna.trial.TrialState.FAIL)


def available(method):
    """None when the method can run here, else why not."""
    try:
        if method.startswith("hpt-"):
            import hpt
            strategy = VARIANTS[method][0] if method in VARIANTS else method[4:]
            if not hpt.has_strategy(strategy):
                return f"libhpt has no strategy {strategy}"
        else:
            import optuna  # noqa: F401
            if method == "optuna-cmaes":
                import cmaes  # noqa: F401
    except ImportError as e:
        return str(e)
    return None


def make(method, space, seed, n_total):
    if method in VARIANTS:
        strategy, opts = VARIANTS[method]
        o = _Hpt(space, seed, strategy, n_total)
        for k, v in opts.items():
            o.study.set_option(k, v)
        return o
    if method.startswith("hpt-"):
        return _Hpt(space, seed, method[4:], n_total)
    if method in METHODS:
        return _Optuna(space, seed, method)
    raise KeyError(method)
