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
from typing import Any, List, Optional, Tuple, Union
import os
import subprocess
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
E_INACTIVE = -14
E_EMPTY = -15
E_NOMODEL = -16
E_MULTI = -17
ADDON_STATUS_MAX = -100
ADDON_STATUS_MIN = -199

SCALE_LINEAR = 0
SCALE_LOG = 1
SCALE_REVERSE_LOG = 2
SCALE_AUTO = 3
SCALE_LOGIT = 4

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

OPTION_INT = 0
OPTION_REAL = 1
OPTION_BOOL = 2
OPTION_STRING = 3

MAX_PARAMS = 1024
MAX_CHOICES = 4096
MAX_NAME = 255
MAX_ATTRS = 64
MAX_ATTR_VALUE = 4096
MAX_OBJECTIVES = 8
MAX_CONSTRAINTS = 16

#: Header name -> value of every HPT_* constant above (the constants test
#: compares this table with include/hpt.h).
CONSTANTS = {"HPT_" + k: v for k, v in dict(globals()).items()
             if k.isupper() and isinstance(v, int) and not k.startswith("EXPECTED")}


# ---- errors ---------------------------------------------------------------

class Error(Exception):
    """A libhpt call failed. `status` is the negative HPT_E_* code and the
    message is the library's own (hpt_last_errmsg of the calling thread)."""

    status: Optional[int] = None

    @property
    def message(self) -> str:
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
    """HPT_E_TYPE: the parameter (or option) exists with another type."""
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
    """HPT_E_LOCKED: a journal is held by an exclusive writer (or, in a
    fork()ed child, by the parent's study); a front-end storage held by
    another front-end study."""
    status = E_LOCKED


class BufferTooSmall(Error):
    """HPT_E_RANGE: a buffer is too small (or an option index past the end)."""
    status = E_RANGE


class NoCompleteTrial(TrialStateError):
    """HPT_E_EMPTY: no trial is complete yet (best, best_overall). A
    TrialStateError, as it was before it had its own code."""
    status = E_EMPTY


class NoModel(TrialStateError):
    """HPT_E_NOMODEL: the strategy has no fitted model (importance). A
    TrialStateError, as it was before it had its own code."""
    status = E_NOMODEL


class SeveralObjectives(Error):
    """HPT_E_MULTI: the study has several objectives, so there is no single
    best trial (use the Pareto front), or the feature needs one objective."""
    status = E_MULTI


class AddonError(Error):
    """A status in HPT_ADDON_STATUS_MIN..MAX: an error of an add-on library
    built on libhpt (libhpt_mpi's HPT_E_MPI); `status` says which."""


class NotCopyable(Error, TypeError):
    """copy.copy, copy.deepcopy or pickle of an object that owns a C handle
    (hpt.Study): two owners would free it twice. No library status."""


class InactiveParameter(Error):
    """HPT_E_INACTIVE: the parameter is not active in that trial."""
    status = E_INACTIVE


_ERRORS = {cls.status: cls for cls in (
    InvalidArgument, NoMemory, StageError, UnknownTrial, TrialStateError,
    UnknownName, ParamTypeError, NumericError, FileError, CorruptJournal,
    JournalMismatch, JournalLocked, BufferTooSmall, InactiveParameter, NoCompleteTrial,
    NoModel, SeveralObjectives)}


# ---- loading --------------------------------------------------------------

def _decode(b: Optional[bytes]) -> str:
    return b.decode("utf-8", "replace") if b is not None else ""


def _compatible(v: str) -> bool:
    try:
        major, minor = (int(x) for x in v.split(".")[:2])
    except ValueError:
        return False
    # Before 1.0 a minor release may break the ABI; after, only a major one.
    return major == EXPECTED_MAJOR and (major > 0 or minor == EXPECTED_MINOR)


def _pkgconfig_libdir() -> Optional[str]:
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "hpt"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def _candidates() -> List[Tuple[str, str]]:
    """(where, how) pairs to try in order: `how` is a path or a soname for
    the dynamic loader."""
    env = os.environ.get("HPT_LIBRARY")
    if env:
        # An explicit choice is never silently replaced by another library.
        return [("HPT_LIBRARY", env)]
    here = Path(__file__).resolve().parent
    soname = "libhpt.so.%d" % EXPECTED_MAJOR
    out = []
    # `make install-python` records the LIBDIR it installed the library to.
    hint = here / "libdir.txt"
    if hint.is_file():
        out.append(("libdir.txt", str(Path(hint.read_text().strip()) / soname)))
    libdir = _pkgconfig_libdir()
    if libdir:
        out.append(("pkg-config", str(Path(libdir) / soname)))
    out.append(("dynamic loader", soname))
    found = ctypes.util.find_library("hpt")
    if found and found != soname:
        out.append(("ldconfig", found))
    # A checkout: <repo>/python/hpt/_lib.py -> <repo>/build/libhpt.so.
    out.append(("checkout", str(here.parent.parent / "build" / "libhpt.so")))
    return out


def _load() -> Tuple[ctypes.CDLL, str]:
    errors = []
    seen = set()
    for where, how in _candidates():
        if how in seen:
            continue
        seen.add(how)
        try:
            dll = ctypes.CDLL(how)
        except OSError as e:
            errors.append("%s: %s" % (where, e))
            continue
        try:
            vf = dll.hpt_version_string
        except AttributeError:
            errors.append("%s: %s is not libhpt (no hpt_version_string)" % (where, how))
            continue
        vf.restype, vf.argtypes = ctypes.c_char_p, []
        v = _decode(vf())
        if not _compatible(v):
            errors.append("%s: %s is libhpt %s; this binding needs %d.%d.x"
                          % (where, how, v, EXPECTED_MAJOR, EXPECTED_MINOR))
            continue
        return dll, getattr(dll, "_name", how)
    raise ImportError("hpt: cannot load libhpt; tried, in order:%s\n"
                      "Set HPT_LIBRARY to the path of libhpt.so, install libhpt "
                      "(make install), or build a checkout (make)."
                      % "".join("\n  " + e for e in errors))


lib, path = _load()

_c = ctypes
_i32, _i64, _u64, _dbl, _sz = _c.c_int32, _c.c_int64, _c.c_uint64, _c.c_double, _c.c_size_t
_p, _s = _c.c_void_p, _c.c_char_p
_P = _c.POINTER

#: name -> (restype, argtypes) of every symbol the binding uses; a library
#: without one of them is refused at import.
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
    "hpt_space_set_step": (_c.c_int, [_p, _s, _dbl]),
    "hpt_space_add_condition": (_c.c_int, [_p, _s, _s, _P(_s), _sz]),
    "hpt_space_add_condition_range": (_c.c_int, [_p, _s, _s, _dbl, _dbl]),
    "hpt_space_param_step": (_dbl, [_p, _sz]),
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
    "hpt_study_get_str": (_c.c_int, [_p, _s, _P(_s)]),
    "hpt_study_option_count": (_c.c_int, [_p, _P(_sz)]),
    "hpt_study_option_info": (_c.c_int, [_p, _sz, _P(_s), _P(_i32), _P(_dbl), _P(_dbl),
                                         _P(_dbl)]),
    "hpt_study_option_choice": (_c.c_int, [_p, _sz, _sz, _P(_s)]),
    "hpt_study_ask": (_c.c_int, [_p, _P(_i64)]),
    "hpt_study_enqueue": (_c.c_int, [_p, _P(_dbl), _sz]),
    "hpt_study_report": (_c.c_int, [_p, _i64, _dbl, _dbl, _P(_i32)]),
    "hpt_study_tell": (_c.c_int, [_p, _i64, _dbl]),
    "hpt_study_tell_failed": (_c.c_int, [_p, _i64, _s]),
    "hpt_study_prune": (_c.c_int, [_p, _i64]),
    "hpt_study_trial_count": (_c.c_int, [_p, _P(_i64)]),
    "hpt_trial_params": (_c.c_int, [_p, _i64, _P(_dbl), _sz]),
    "hpt_trial_float": (_c.c_int, [_p, _i64, _s, _P(_dbl)]),
    "hpt_trial_int": (_c.c_int, [_p, _i64, _s, _P(_i64)]),
    "hpt_trial_categorical": (_c.c_int, [_p, _i64, _s, _P(_s)]),
    "hpt_trial_active": (_c.c_int, [_p, _i64, _s, _P(_i32)]),
    "hpt_trial_set_attr": (_c.c_int, [_p, _i64, _s, _s]),
    "hpt_trial_attr": (_c.c_int, [_p, _i64, _s, _P(_s)]),
    "hpt_trial_attr_at": (_c.c_int, [_p, _i64, _sz, _P(_s), _P(_s)]),
    "hpt_study_set_attr": (_c.c_int, [_p, _s, _s]),
    "hpt_study_attr": (_c.c_int, [_p, _s, _P(_s)]),
    "hpt_study_attr_at": (_c.c_int, [_p, _sz, _P(_s), _P(_s)]),
    "hpt_trial_state": (_c.c_int, [_p, _i64, _P(_i32)]),
    "hpt_trial_value": (_c.c_int, [_p, _i64, _P(_dbl)]),
    "hpt_trial_budget": (_c.c_int, [_p, _i64, _P(_dbl), _P(_i64)]),
    "hpt_trial_report_count": (_c.c_int, [_p, _i64, _P(_i64)]),
    "hpt_trial_report": (_c.c_int, [_p, _i64, _i64, _P(_dbl), _P(_dbl)]),
    "hpt_trial_fail_reason": (_c.c_int, [_p, _i64, _P(_s)]),
    "hpt_trial_times": (_c.c_int, [_p, _i64, _P(_dbl), _P(_dbl)]),
    # Several objectives and constraints.
    "hpt_study_set_objectives": (_c.c_int, [_p, _P(_i32), _sz]),
    "hpt_study_set_constraints": (_c.c_int, [_p, _sz]),
    "hpt_study_objectives": (_c.c_int, [_p, _P(_i32), _sz, _P(_sz), _P(_sz)]),
    "hpt_study_tell_values": (_c.c_int, [_p, _i64, _P(_dbl), _sz]),
    "hpt_study_tell_constrained": (_c.c_int, [_p, _i64, _P(_dbl), _sz, _P(_dbl), _sz]),
    "hpt_trial_values": (_c.c_int, [_p, _i64, _P(_dbl), _sz]),
    "hpt_trial_constraints": (_c.c_int, [_p, _i64, _P(_dbl), _sz]),
    "hpt_trial_feasible": (_c.c_int, [_p, _i64, _P(_i32)]),
    "hpt_study_pareto": (_c.c_int, [_p, _P(_i64), _sz, _P(_sz)]),
    "hpt_study_hypervolume": (_c.c_int, [_p, _P(_dbl), _sz, _P(_dbl)]),
    "hpt_study_best": (_c.c_int, [_p, _P(_i64), _P(_dbl)]),
    # Persistence: journal, resume, warm start, completion, export.
    "hpt_study_open": (_c.c_int, [_s, _p, _s, _i32, _u64, _P(_p)]),
    "hpt_study_journal_info": (_c.c_int, [_p, _P(_i64), _P(_i64), _P(_s)]),
    "hpt_study_running": (_c.c_int, [_p, _P(_i64), _sz, _P(_sz)]),
    "hpt_study_load": (_c.c_int, [_s, _P(_p)]),
    # Several writers on one journal: leases, stale trials, taking one over.
    "hpt_study_heartbeat": (_c.c_int, [_p]),
    "hpt_study_stale": (_c.c_int, [_p, _P(_i64), _sz, _P(_sz)]),
    "hpt_study_claim": (_c.c_int, [_p, _i64]),
    "hpt_study_warm_default": (_c.c_int, [_p, _s, _dbl]),
    "hpt_study_warm_start": (_c.c_int, [_p, _s, _i32]),
    "hpt_study_warm_info": (_c.c_int, [_p, _P(_i64), _P(_i64), _P(_s)]),
    "hpt_study_done_reason": (_s, [_p]),
    "hpt_study_export_csv": (_c.c_int, [_p, _s]),
    "hpt_study_best_overall": (_c.c_int, [_p, _P(_i64), _P(_dbl)]),
    "hpt_study_top_k": (_c.c_int, [_p, _sz, _P(_i64), _P(_sz)]),
    "hpt_study_importance": (_c.c_int, [_p, _P(_dbl), _sz]),
    "hpt_study_importance_lengthscale": (_c.c_int, [_p, _P(_dbl), _sz]),
    "hpt_study_importance_sobol": (_c.c_int, [_p, _P(_dbl), _P(_dbl), _sz]),
}

for _name, (_res, _args) in PROTOTYPES.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        raise ImportError("hpt: %s lacks the symbol %s (too old?)" % (path, _name))
    _f.restype = _res
    _f.argtypes = _args


def version() -> str:
    """The loaded library's version string, e.g. "0.1.0"."""
    return _decode(lib.hpt_version_string())


def strerror(status: int) -> str:
    """hpt_strerror: a short description of any status value."""
    return _decode(lib.hpt_strerror(int(status)))


def error_for(status: int, message: Optional[str] = None) -> Error:
    """The exception for a negative status, with the calling thread's last
    libhpt message (hpt_last_errmsg is thread-local, so it is the right one
    even when other threads use the same study)."""
    if message is None:
        message = _decode(lib.hpt_last_errmsg()) or strerror(status)
    cls = _ERRORS.get(status, Error)
    if cls is Error and ADDON_STATUS_MIN <= status <= ADDON_STATUS_MAX:
        cls = AddonError
    e = cls(message)
    if e.status != status:
        e.status = status
    return e


def check(status: int) -> int:
    """Raise for a negative status; return non-negative ones (OK, DONE,
    WAIT) to the caller. Call it right after the failing call, on the same
    thread, before any other libhpt call."""
    if status < 0:
        raise error_for(status)
    return status


def encode(s: Union[str, bytes], what: str = "a string") -> bytes:
    """str -> UTF-8 bytes for a `const char *` argument. A NUL byte would
    silently cut the string in C, so it is refused (InvalidArgument)."""
    if isinstance(s, str):
        b = s.encode("utf-8")
    elif isinstance(s, bytes):
        b = s
    else:
        raise TypeError("%s: expected a str, not %s" % (what, type(s).__name__))
    if b"\0" in b:
        raise InvalidArgument("%s contains a NUL byte: %r" % (what, s))
    return b


def encode_path(p: "str | bytes | os.PathLike[str]") -> bytes:
    """A path (str, bytes, os.PathLike) -> bytes; NUL refused as in encode."""
    b = os.fsencode(os.fspath(p))
    if b"\0" in b:
        raise InvalidArgument("path contains a NUL byte: %r" % (p,))
    return b


INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1


def int64(v: int, what: str) -> int:
    """A Python int checked to fit int64_t, which ctypes would otherwise
    wrap silently (2**64 becomes 0)."""
    if not INT64_MIN <= v <= INT64_MAX:
        raise InvalidArgument("%s %d does not fit a 64-bit signed integer" % (what, v))
    return int(v)


def real(v: Any, what: str) -> float:
    """float(v), with a number too large for a double (10**400) reported as
    InvalidArgument instead of a bare OverflowError."""
    try:
        return float(v)
    except OverflowError:
        raise InvalidArgument("%s is too large for a double: %.40s..." % (what, v)) from None


def strategies() -> List[str]:
    """The strategy names this library knows, in registry order."""
    names: List[str] = []
    name = ctypes.c_char_p()
    while lib.hpt_strategy_name(len(names), ctypes.byref(name)) == OK:
        names.append(_decode(name.value))
    return names
