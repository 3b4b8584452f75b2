"""hpt -- libhpt's hyperparameter tuning from Python, through ctypes.

    import hpt
    space = {"lr": hpt.Float(1e-5, 1e-1, log=True),
             "layers": hpt.Int(1, 4),
             "act": hpt.Categorical(["relu", "tanh"])}
    study = hpt.Study(space, strategy="sobol", direction="minimize", seed=0,
                      max_trials=50)
    while (trial := study.ask()) is not None:
        study.tell(trial, train(**trial.params))
    print(study.best_params, study.best_value)

or study.optimize(objective, n_trials=50, n_jobs=2). The library is loaded
from $HPT_LIBRARY, else <checkout>/build/libhpt.so, else the system library
path; its version is checked at import. Failures raise hpt.Error subclasses
that carry the library's message.
"""
from . import _lib
from ._lib import (CONSTANTS, MAXIMIZE, MINIMIZE, BufferTooSmall, CorruptJournal,
                   Error, FileError, InvalidArgument, JournalLocked, JournalMismatch,
                   NoMemory, NumericError, ParamTypeError, StageError, TrialStateError,
                   UnknownName, UnknownTrial, strerror)
from ._space import Categorical, Float, Int
from ._study import (FrozenTrial, Study, Trial, TrialPruned, TrialState, Wait,
                     has_strategy, strategies)
from . import visualization  # noqa: E402  (plots; backends load on first use)

__version__ = "0.1.0"

#: Path of the loaded shared library.
library_path = _lib.path


def library_version():
    """The loaded libhpt's version string ("MAJOR.MINOR.PATCH")."""
    return _lib.version()


__all__ = [
    "BufferTooSmall", "CONSTANTS", "Categorical", "CorruptJournal", "Error",
    "FileError", "Float", "FrozenTrial", "Int", "InvalidArgument", "JournalLocked",
    "JournalMismatch", "MAXIMIZE", "MINIMIZE", "NoMemory", "NumericError",
    "ParamTypeError", "StageError", "Study", "Trial", "TrialPruned", "TrialState",
    "TrialStateError", "UnknownName", "UnknownTrial", "Wait", "has_strategy",
    "library_path", "library_version", "strategies", "strerror",
]

# Public classes show as hpt.X in tracebacks and reprs.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "hpt"
del _name, _obj
