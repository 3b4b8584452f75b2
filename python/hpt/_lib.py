"""Loading libhpt with ctypes: prototypes, constants, errors.

Every symbol the binding calls is declared here with its argtypes and
restype, and every status goes through `check`, which turns a negative
status into an `Error` subclass carrying the library's message.

ctypes.CDLL releases the GIL for the duration of each foreign call, so
threads sharing one study run the library concurrently; the C study
serializes its own calls with its lock.
"""
import ctypes
import ctypes.util
import os
from pathlib import Path

#: The major version of libhpt this binding is written against. The library
#: is refused at import when its major version differs (0.x: the minor too,
#: see _compatible).
EXPECTED_MAJOR = 0
EXPECTED_MINOR = 1

# ---- constants (the values of include/hpt.h; tests/python/test_constants.py
# parses the header and checks each one) -------------------------------------

OK = 0
DONE = 1
WAIT = 2
E_INVALID = -1
E_NOMEM = -2
E_STAGE = -3
E_TRIAL = -4
E_STATE = -5
E_NAME = -6
E_TYPE = -7
E_NUMERIC = -8
E_IO = -9
E_CORRUPT = -10
E_MISMATCH = -11
E_LOCKED = -12
E_RANGE = -13

SCALE_LINEAR = 0
SCALE_LOG = 1
SCALE_REVERSE_LOG = 2
SCALE_AUTO = 3

MINIMIZE = 0
MAXIMIZE = 1

TRIAL_RUNNING = 0
TRIAL_COMPLETE = 1
TRIAL_FAILED = 2
TRIAL_PRUNED = 3

WARM_IDENTICAL = 0
WARM_TRANSFER = 1

PARAM_FLOAT = 0
PARAM_INT = 1
PARAM_CATEGORICAL = 2

MAX_PARAMS = 1024
MAX_CHOICES = 4096
MAX_NAME = 255

#: Header name -> value of every HPT_* constant above (the constants test
#: compares this table with include/hpt.h).
CONSTANTS = {"HPT_" + k: v for k, v in dict(globals()).items()
             if k.isupper() and isinstance(v, int) and not k.startswith("EXPECTED")}


# ---- errors ---------------------------------------------------------------

class Error(Exception):
    """A libhpt call failed. `status` is the negative HPT_E_* code and the
    message is the library's own (hpt_last_errmsg of the calling thread)."""

    status = None

    @property
    def message(self):
        return str(self)


class InvalidArgument(Error, ValueError):
    """HPT_E_INVALID: bad argument (NaN, bad range, bad name ...)."""
    status = E_INVALID


class NoMemory(Error, MemoryError):
    """HPT_E_NOMEM: an allocation failed."""
    status = E_NOMEM


class StageError(Error):
    """HPT_E_STAGE: call not allowed now (an option after the first ask)."""
    status = E_STAGE


class UnknownTrial(Error, LookupError):
    """HPT_E_TRIAL: no trial with that id."""
    status = E_TRIAL


class TrialStateError(Error):
    """HPT_E_STATE: the trial (or study) is not in a state that allows the
    call: told twice, no value yet, no complete trial for best ..."""
    status = E_STATE


class UnknownName(Error, LookupError):
    """HPT_E_NAME: unknown parameter, option, strategy or pruner name."""
    status = E_NAME


class ParamTypeError(Error, TypeError):
    """HPT_E_TYPE: the parameter exists with another type."""
    status = E_TYPE


class NumericError(Error, ArithmeticError):
    """HPT_E_NUMERIC: a numerical routine failed beyond recovery."""
    status = E_NUMERIC


class FileError(Error, OSError):
    """HPT_E_IO: reading or writing a file failed."""
    status = E_IO


class CorruptJournal(Error):
    """HPT_E_CORRUPT: a journal is damaged or not a journal."""
    status = E_CORRUPT


class JournalMismatch(Error):
    """HPT_E_MISMATCH: a journal belongs to another space or setup."""
    status = E_MISMATCH


class JournalLocked(Error):
    """HPT_E_LOCKED: a journal is in use by another process."""
    status = E_LOCKED


class BufferTooSmall(Error):
    """HPT_E_RANGE: an index or a buffer is out of range."""
    status = E_RANGE


_ERRORS = {cls.status: cls for cls in (
    InvalidArgument, NoMemory, StageError, UnknownTrial, TrialStateError,
    UnknownName, ParamTypeError, NumericError, FileError, CorruptJournal,
    JournalMismatch, JournalLocked, BufferTooSmall)}


# ---- loading --------------------------------------------------------------

def _candidates():
    env = os.environ.get("HPT_LIBRARY")
    if env:
        # An explicit choice is never silently replaced by another library.
        return [env], True
    here = Path(__file__).resolve().parent          # <repo>/python/hpt
    local = here.parent.parent / "build" / "libhpt.so"
    if local.exists():
        return [str(local)], False
    # find_library runs ldconfig: only when there is no checkout build.
    found = ctypes.util.find_library("hpt")
    return ([found] if found else []), False


def _load():
    paths, explicit = _candidates()
    errors = []
    for path in paths:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    where = "HPT_LIBRARY" if explicit else \
        "HPT_LIBRARY, <checkout>/build/libhpt.so or the system library path"
    raise ImportError("hpt: cannot load libhpt (looked in %s)%s" % (
        where, "".join("\n  " + e for e in errors)))


lib, path = _load()

_c = ctypes
_i32, _i64, _u64, _dbl, _sz = _c.c_int32, _c.c_int64, _c.c_uint64, _c.c_double, _c.c_size_t
_p, _s = _c.c_void_p, _c.c_char_p
_P = _c.POINTER

#: name -> (restype, argtypes) of every symbol the binding uses, whatever
#: the library provides; OPTIONAL ones may be absent from an older library.
PROTOTYPES = {
    "hpt_version_string": (_s, []),
    "hpt_version_number": (_i32, []),
    "hpt_strerror": (_s, [_c.c_int]),
    "hpt_last_errmsg": (_s, []),
    "hpt_study_errmsg": (_s, [_p]),
    "hpt_space_create": (_c.c_int, [_P(_p)]),
    "hpt_space_destroy": (None, [_p]),
    "hpt_space_add_float": (_c.c_int, [_p, _s, _dbl, _dbl, _i32]),
    "hpt_space_add_int": (_c.c_int, [_p, _s, _i64, _i64, _i32]),
    "hpt_space_add_categorical": (_c.c_int, [_p, _s, _P(_s), _sz]),
    "hpt_space_size": (_sz, [_p]),
    "hpt_space_param_info": (_c.c_int, [_p, _sz, _P(_i32), _P(_i32), _P(_dbl),
                                        _P(_dbl), _P(_sz)]),
    "hpt_space_param_name": (_c.c_int, [_p, _sz, _P(_s)]),
    "hpt_space_choice_name": (_c.c_int, [_p, _sz, _sz, _P(_s)]),
    "hpt_space_index": (_c.c_int, [_p, _s, _P(_sz)]),
    "hpt_space_encode": (_c.c_int, [_p, _P(_dbl), _P(_dbl), _sz]),
    "hpt_space_decode": (_c.c_int, [_p, _P(_dbl), _P(_dbl), _sz]),
    "hpt_study_create": (_c.c_int, [_p, _s, _i32, _u64, _P(_p)]),
    "hpt_study_destroy": (None, [_p]),
    "hpt_strategy_name": (_c.c_int, [_sz, _P(_s)]),
    "hpt_study_set": (_c.c_int, [_p, _s, _dbl]),
    "hpt_study_set_str": (_c.c_int, [_p, _s, _s]),
    "hpt_study_get": (_c.c_int, [_p, _s, _P(_dbl)]),
    "hpt_study_ask": (_c.c_int, [_p, _P(_i64)]),
    "hpt_study_report": (_c.c_int, [_p, _i64, _dbl, _dbl, _P(_i32)]),
    "hpt_study_tell": (_c.c_int, [_p, _i64, _dbl]),
    "hpt_study_tell_failed": (_c.c_int, [_p, _i64, _s]),
    "hpt_study_prune": (_c.c_int, [_p, _i64]),
    "hpt_study_trial_count": (_c.c_int, [_p, _P(_i64)]),
    "hpt_trial_params": (_c.c_int, [_p, _i64, _P(_dbl), _sz]),
    "hpt_trial_float": (_c.c_int, [_p, _i64, _s, _P(_dbl)]),
    "hpt_trial_int": (_c.c_int, [_p, _i64, _s, _P(_i64)]),
    "hpt_trial_categorical": (_c.c_int, [_p, _i64, _s, _P(_s)]),
    "hpt_trial_state": (_c.c_int, [_p, _i64, _P(_i32)]),
    "hpt_trial_value": (_c.c_int, [_p, _i64, _P(_dbl)]),
    "hpt_trial_budget": (_c.c_int, [_p, _i64, _P(_dbl), _P(_i64)]),
    "hpt_trial_report_count": (_c.c_int, [_p, _i64, _P(_i64)]),
    "hpt_trial_report": (_c.c_int, [_p, _i64, _i64, _P(_dbl), _P(_dbl)]),
    "hpt_trial_fail_reason": (_c.c_int, [_p, _i64, _P(_s)]),
    "hpt_study_best": (_c.c_int, [_p, _P(_i64), _P(_dbl)]),
    # Persistence: journal, resume, warm start, completion, export. Optional:
    # a library built without them still serves everything else.
    "hpt_study_open": (_c.c_int, [_s, _p, _s, _i32, _u64, _P(_p)]),
    "hpt_study_journal_info": (_c.c_int, [_p, _P(_i64), _P(_i64), _P(_s)]),
    "hpt_study_running": (_c.c_int, [_p, _P(_i64), _sz, _P(_sz)]),
    "hpt_study_warm_default": (_c.c_int, [_p, _s, _dbl]),
    "hpt_study_warm_start": (_c.c_int, [_p, _s, _i32]),
    "hpt_study_warm_info": (_c.c_int, [_p, _P(_i64), _P(_i64), _P(_s)]),
    "hpt_study_done_reason": (_s, [_p]),
    "hpt_study_export_csv": (_c.c_int, [_p, _s]),
    "hpt_study_best_overall": (_c.c_int, [_p, _P(_i64), _P(_dbl)]),
    "hpt_study_top_k": (_c.c_int, [_p, _sz, _P(_i64), _P(_sz)]),
    "hpt_study_importance": (_c.c_int, [_p, _P(_dbl), _sz]),
    "hpt_study_importance_sobol": (_c.c_int, [_p, _P(_dbl), _P(_dbl), _sz]),
}
#: Symbols that an older or partial library may lack; features using them
#: check `has(name)` first (hpt.Study raises NotImplementedError without).
OPTIONAL = {
    "hpt_study_open", "hpt_study_journal_info", "hpt_study_running",
    "hpt_study_warm_default", "hpt_study_warm_start", "hpt_study_warm_info",
    "hpt_study_done_reason", "hpt_study_export_csv", "hpt_study_best_overall",
    "hpt_study_top_k", "hpt_study_importance", "hpt_study_importance_sobol",
}

for _name, (_res, _args) in PROTOTYPES.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        if _name in OPTIONAL:
            continue
        raise ImportError("hpt: %s lacks the symbol %s (too old?)" % (path, _name))
    _f.restype = _res
    _f.argtypes = _args


def has(symbol):
    """True when the loaded library exports `symbol` (optional features)."""
    return symbol in PROTOTYPES and hasattr(lib, symbol)


def need(symbol, feature):
    """The function `symbol`, or NotImplementedError naming the feature."""
    if not has(symbol):
        raise NotImplementedError("%s needs %s, which libhpt %s (%s) does not have"
                                  % (feature, symbol, version(), path))
    return getattr(lib, symbol)


def _decode(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def version():
    """The loaded library's version string, e.g. "0.1.0"."""
    return _decode(lib.hpt_version_string())


def _compatible(v):
    try:
        major, minor = (int(x) for x in v.split(".")[:2])
    except ValueError:
        return False
    # Before 1.0 a minor release may break the ABI; after, only a major one.
    return major == EXPECTED_MAJOR and (major > 0 or minor == EXPECTED_MINOR)


if not _compatible(version()):
    raise ImportError("hpt: %s is libhpt %s; this binding needs %d.%d.x" % (
        path, version(), EXPECTED_MAJOR, EXPECTED_MINOR))


def strerror(status):
    """hpt_strerror: a short description of any status value."""
    return _decode(lib.hpt_strerror(int(status)))


def error_for(status, message=None):
    """The exception for a negative status, with the calling thread's last
    libhpt message (hpt_last_errmsg is thread-local, so it is the right one
    even when other threads use the same study)."""
    if message is None:
        message = _decode(lib.hpt_last_errmsg()) or strerror(status)
    cls = _ERRORS.get(status, Error)
    e = cls(message)
    if cls is Error:
        e.status = status
    return e


def check(status):
    """Raise for a negative status; return non-negative ones (OK, DONE,
    WAIT) to the caller. Call it right after the failing call, on the same
    thread, before any other libhpt call."""
    if status < 0:
        raise error_for(status)
    return status


def encode(s):
    """str -> UTF-8 bytes for a `const char *` argument."""
    if isinstance(s, bytes):
        return s
    if not isinstance(s, str):
        raise TypeError("expected a str, not %s" % type(s).__name__)
    return s.encode("utf-8")


def strategies():
    """The strategy names this library knows, in registry order."""
    names = []
    name = ctypes.c_char_p()
    while lib.hpt_strategy_name(len(names), ctypes.byref(name)) == OK:
        names.append(_decode(name.value))
    return names
