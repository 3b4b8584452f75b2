"""hpt -- libhpt's hyperparameter tuning from Python, through ctypes.

Define-by-run, with Optuna's API (an Optuna objective runs unchanged):

    import hpt
    def objective(trial):
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        layers = trial.suggest_int("layers", 1, 4)
        return train(lr, layers)
    study = hpt.create_study(direction="minimize")     # bayes, a seed from the OS
    study.optimize(objective, n_trials=50)
    print(study.best_params, study.best_value)

Ask/tell over a declared space (the library's own model of a study):

    space = {"lr": hpt.Float(1e-5, 1e-1, log=True), "layers": hpt.Int(1, 4),
             "act": hpt.Categorical(["relu", "tanh"])}
    study = hpt.Study(space, strategy="sobol", seed=0, max_trials=50)
    while (trial := study.ask()) is not None:
        study.tell(trial, train(**trial.params))

Also hpt.load_study, hpt.integration.optuna.HptSampler (libhpt inside
Optuna) and hpt.sklearn.HptSearchCV. The library is loaded from
$HPT_LIBRARY, else the installed libhpt (libdir.txt, pkg-config, the
dynamic loader), else <checkout>/build/libhpt.so; its version is checked.
Failures raise hpt.Error subclasses that carry the library's message.
"""
from . import _lib
from ._lib import (CONSTANTS, MAXIMIZE, MINIMIZE, AddonError, BufferTooSmall,
                   CorruptJournal, Error, FileError, InvalidArgument, JournalLocked,
                   JournalMismatch, NoCompleteTrial, NoMemory, NoModel, NotCopyable,
                   NumericError, ParamTypeError, SeveralObjectives, StageError, TrialStateError,
                   UnknownName,
                   UnknownTrial, strerror)
from ._space import Categorical, Float, Int
from ._frontend import DefineByRunStudy, DefineByRunTrial
from ._frontend_open import create_study, load_study
from ._study import (FrozenTrial, Option, Study, Trial, TrialPruned, TrialState, Wait,
                     has_strategy, strategies)
from . import visualization  # noqa: E402  (plots; backends load on first use)

from ._version import __version__

#: Path of the loaded shared library.
library_path = _lib.path


def library_version() -> str:
    """The loaded libhpt's version string ("MAJOR.MINOR.PATCH")."""
    return _lib.version()


__all__ = [
    "AddonError", "BufferTooSmall", "CONSTANTS", "Categorical", "CorruptJournal",
    "DefineByRunStudy", "DefineByRunTrial", "Error",
    "FileError", "Float", "FrozenTrial", "Int", "InvalidArgument", "JournalLocked",
    "JournalMismatch", "MAXIMIZE", "MINIMIZE", "NoCompleteTrial", "NoMemory", "NoModel",
    "NotCopyable", "NumericError", "Option", "ParamTypeError", "SeveralObjectives",
    "StageError", "Study", "Trial",
    "TrialPruned", "TrialState",
    "TrialStateError", "UnknownName", "UnknownTrial", "Wait", "has_strategy",
    "create_study", "library_path", "library_version", "load_study", "strategies",
    "strerror",
]

# Public classes show as hpt.X in tracebacks and reprs.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj) and getattr(_obj, "__module__", "").startswith(
            "hpt._"):
        _obj.__module__ = "hpt"
del _name, _obj
