"""Search-space descriptors: hpt.Float, hpt.Int, hpt.Categorical.

A space is a dict name -> descriptor; its insertion order is the order of
the parameters in the library (and of a trial's dense parameter array).
"""
import ctypes
import inspect

from . import _lib

_SCALES = {
    "linear": _lib.SCALE_LINEAR,
    "log": _lib.SCALE_LOG,
    "reverse_log": _lib.SCALE_REVERSE_LOG,
    "auto": _lib.SCALE_AUTO,
}
_SCALE_NAMES = {v: k for k, v in _SCALES.items()}


def _scale(log, scale):
    if scale is None:
        return _lib.SCALE_LOG if log else _lib.SCALE_LINEAR
    if isinstance(scale, str):
        key = scale.lower().replace("-", "_")
        if key not in _SCALES:
            raise ValueError("scale must be one of %s, not %r"
                             % (", ".join(sorted(_SCALES)), scale))
        code = _SCALES[key]
    elif isinstance(scale, int) and scale in _SCALE_NAMES:
        code = scale
    else:
        raise ValueError("scale must be one of %s, not %r"
                         % (", ".join(sorted(_SCALES)), scale))
    if log and code != _lib.SCALE_LOG:
        raise ValueError("log=True contradicts scale=%r" % (scale,))
    return code


class Float:
    """A real parameter on [lo, hi] (both included).

    scale: "linear" (default), "log" (same as log=True, needs lo > 0),
    "reverse_log" (dense near 1: needs 0 <= lo <= hi < 1, for momentum-like
    values) or "auto" (log when lo > 0 and hi/lo >= 100).
    Trial values are Python floats."""

    def __init__(self, lo, hi, log=False, scale=None):
        self.lo = _lib.real(lo, "Float lower bound")
        self.hi = _lib.real(hi, "Float upper bound")
        self.scale = _scale(log, scale)

    def _add(self, space, name):
        return _lib.lib.hpt_space_add_float(space, name, self.lo, self.hi,
                                            self.scale)

    def _native(self, x):
        return float(x)

    def __repr__(self):
        return "Float(%r, %r, scale=%r)" % (self.lo, self.hi,
                                             _SCALE_NAMES[self.scale])


class Int:
    """An integer parameter on [lo, hi] (both included).

    scale: "linear" (default: uniform over the integers), "log" (same as
    log=True, needs lo >= 1) or "auto". Trial values are Python ints."""

    def __init__(self, lo, hi, log=False, scale=None):
        for v in (lo, hi):
            if isinstance(v, float) and not v.is_integer():
                raise ValueError("Int bounds must be integers, not %r" % (v,))
        self.lo = _lib.int64(int(lo), "Int lower bound")
        self.hi = _lib.int64(int(hi), "Int upper bound")
        self.scale = _scale(log, scale)

    def _add(self, space, name):
        return _lib.lib.hpt_space_add_int(space, name, self.lo, self.hi,
                                          self.scale)

    def _native(self, x):
        return int(x)

    def __repr__(self):
        return "Int(%r, %r, scale=%r)" % (self.lo, self.hi,
                                           _SCALE_NAMES[self.scale])


def _fits(label):
    b = label.encode("utf-8")
    return 0 < len(b) <= _lib.MAX_NAME


def _truncate(label):
    b = label.encode("utf-8")[:_lib.MAX_NAME]
    return b.decode("utf-8", "ignore")


def _plain_label(c):
    if isinstance(c, str):
        return c
    if isinstance(c, type) or inspect.isroutine(c):
        return getattr(c, "__qualname__", None) or repr(c)
    return repr(c)


class Categorical:
    """A choice among `choices`: any Python objects (strings, numbers, None,
    tuples, classes ...). Trials give back the very objects passed here. The
    library knows each choice by a label: the string itself for strings,
    the qualified name for classes and functions, repr() otherwise (prefixed by the type name when that is needed to keep
    labels distinct and non-empty); labels appear in journals and exports.
    """

    def __init__(self, choices):
        self.choices = list(choices)
        if not self.choices:
            raise ValueError("Categorical needs at least one choice")
        self.labels = self._labels()

    def _labels(self):
        plain = [_plain_label(c) for c in self.choices]
        if all(_fits(p) for p in plain) and len(set(plain)) == len(plain):
            return plain
        typed = [_truncate("%s:%s" % (type(c).__name__, p))
                 for c, p in zip(self.choices, plain)]
        if len(set(typed)) == len(typed):
            return typed
        # Truly equal choices: keep the plain labels so that the library
        # refuses the duplicates with its own message.
        return [_truncate(p) for p in plain]

    def _add(self, space, name):
        arr = (ctypes.c_char_p * len(self.labels))(
            *[_lib.encode(l, "choice label %r" % l) for l in self.labels])
        return _lib.lib.hpt_space_add_categorical(space, name, arr,
                                                  len(self.labels))

    def _native(self, x):
        return self.choices[int(x)]

    def index(self, value):
        """Index of `value` among the choices (by identity, then equality)."""
        for i, c in enumerate(self.choices):
            if c is value:
                return i
        return self.choices.index(value)

    def __repr__(self):
        return "Categorical(%r)" % (self.choices,)


_TYPES = (Float, Int, Categorical)


class Space:
    """The binding's view of a space dict: names, descriptors, and a C space
    handle built from them (owned; released by close() or when collected)."""

    def __init__(self, space):
        if not isinstance(space, dict) or not space:
            raise ValueError("a space is a non-empty dict name -> "
                             "hpt.Float/hpt.Int/hpt.Categorical")
        self.names = list(space)
        self.params = [space[n] for n in self.names]
        for n, p in zip(self.names, self.params):
            if not isinstance(n, str):
                raise TypeError("parameter names are str, not %r" % (n,))
            if not isinstance(p, _TYPES):
                raise TypeError("parameter %r: expected hpt.Float, hpt.Int or "
                                "hpt.Categorical, not %r" % (n, p))
        # (name, converter) pairs: to_native runs on every trial's params.
        self._convert = [(n, float if type(p) is Float else int if type(p) is Int
                          else p._native) for n, p in zip(self.names, self.params)]
        self.handle = ctypes.c_void_p()
        _lib.check(_lib.lib.hpt_space_create(ctypes.byref(self.handle)))
        try:
            for n, p in zip(self.names, self.params):
                _lib.check(p._add(self.handle, _lib.encode(n, "parameter name %r" % n)))
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.handle:
            _lib.lib.hpt_space_destroy(self.handle)
            self.handle = ctypes.c_void_p()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __len__(self):
        return len(self.names)

    def to_native(self, values):
        """Dense doubles in space order -> dict of native Python values."""
        return {n: f(v) for (n, f), v in zip(self._convert, values)}
