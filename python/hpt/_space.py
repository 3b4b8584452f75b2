"""Search-space descriptors: hpt.Float, hpt.Int, hpt.Categorical.

A space is a dict name -> descriptor; its insertion order is the order of
the parameters in the library (and of a trial's dense parameter array).
"""
import ctypes
import inspect
import math
import numbers
import random
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _lib

_SCALES = {
    "linear": _lib.SCALE_LINEAR,
    "log": _lib.SCALE_LOG,
    "reverse_log": _lib.SCALE_REVERSE_LOG,
    "auto": _lib.SCALE_AUTO,
}
_SCALE_NAMES = {v: k for k, v in _SCALES.items()}


def _scale(log: bool, scale: Union[str, int, None]) -> int:
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
    step: values lo, lo + step, lo + 2 step ... <= hi only (linear scale).
    Until the core has a step setting, such a parameter is given to the
    library as the integer k of lo + k*step, which is exact: a grid counts
    its values, models see its lattice.
    Trial values are Python floats."""

    def __init__(self, lo: float, hi: float, log: bool = False,
                 scale: "str | int | None" = None, step: "float | None" = None) -> None:
        self.lo = _lib.real(lo, "Float lower bound")
        self.hi = _lib.real(hi, "Float upper bound")
        self.scale = _scale(log, scale)
        self.step: Optional[float] = None
        self._kmax = 0
        if step is not None:
            st = _lib.real(step, "Float step")
            if not (math.isfinite(st) and st > 0):
                raise ValueError("step must be a positive finite number, not %r" % (step,))
            if self.scale != _lib.SCALE_LINEAR:
                raise ValueError("step needs the linear scale")
            if not (math.isfinite(self.lo) and math.isfinite(self.hi)) or self.lo > self.hi:
                raise ValueError("step needs finite bounds lo <= hi")
            self.step = st
            # The small slack keeps hi itself when (hi - lo) / step is an
            # integer up to rounding (0.3 / 0.1 = 2.9999999999999996).
            self._kmax = int(math.floor((self.hi - self.lo) / st + 1e-9))
            if self._kmax > _lib.INT64_MAX:
                raise ValueError("step %r gives too many values" % (step,))

    def _add(self, space: Any, name: bytes) -> int:
        if self.step is not None:
            return int(_lib.lib.hpt_space_add_int(space, name, 0, self._kmax, _lib.SCALE_LINEAR))
        return int(_lib.lib.hpt_space_add_float(space, name, self.lo, self.hi, self.scale))

    def _native(self, x: float) -> float:
        if self.step is not None:
            # 15 significant digits drop the noise of lo + k*step (0.1 * 7).
            return min(self.hi, float("%.15g" % (self.lo + int(x) * self.step)))
        return float(x)

    def _converter(self) -> Callable[[float], Any]:
        return float if self.step is None else self._native  # type: ignore[return-value]

    def _core(self, value: Any) -> float:
        if self.step is not None:
            return float(round((float(value) - self.lo) / self.step))
        return float(value)

    def _contains(self, value: Any) -> bool:
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            return False
        if not self.lo <= v <= self.hi:
            return False
        if self.step is not None:
            k = (v - self.lo) / self.step
            return abs(k - round(k)) < 1e-6
        return True

    def _filler(self) -> float:
        if self.step is not None:
            return float(self._kmax // 2)
        if self._log_like():
            return math.sqrt(self.lo * self.hi)
        return (self.lo + self.hi) / 2

    def _log_like(self) -> bool:
        return self.scale == _lib.SCALE_LOG or (
            self.scale == _lib.SCALE_AUTO and self.lo > 0 and self.hi >= 100 * self.lo)

    def _sample(self, rng: "random.Random") -> float:
        if self.step is not None:
            return self._native(rng.randint(0, self._kmax))
        if self._log_like():
            return min(self.hi, max(self.lo, math.exp(rng.uniform(math.log(self.lo),
                                                                   math.log(self.hi)))))
        if self.scale == _lib.SCALE_REVERSE_LOG:
            u = rng.uniform(math.log1p(-self.hi), math.log1p(-self.lo))
            return min(self.hi, max(self.lo, -math.expm1(u)))
        return rng.uniform(self.lo, self.hi)

    def _key(self) -> Tuple[Any, ...]:
        return ("float", self.lo, self.hi, self.scale, self.step)

    def _journal(self) -> str:
        if self.step is not None:
            return "int linear 0 %d" % self._kmax
        return "float %s %r %r" % (_SCALE_NAMES[self.scale], self.lo, self.hi)

    def _to_json(self) -> Dict[str, Any]:
        return {"type": "float", "lo": self.lo, "hi": self.hi,
                "scale": _SCALE_NAMES[self.scale], "step": self.step}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Float) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        extra = "" if self.step is None else ", step=%r" % self.step
        return "Float(%r, %r, scale=%r%s)" % (self.lo, self.hi,
                                               _SCALE_NAMES[self.scale], extra)


class Int:
    """An integer parameter on [lo, hi] (both included).

    scale: "linear" (default: uniform over the integers), "log" (same as
    log=True, needs lo >= 1) or "auto". step: only lo, lo + step, ... <= hi
    (linear scale; given to the library as the integer k of lo + k*step,
    exact like Float's step). Trial values are Python ints."""

    def __init__(self, lo: int, hi: int, log: bool = False,
                 scale: "str | int | None" = None, step: int = 1) -> None:
        for v in (lo, hi, step):
            if isinstance(v, float) and not float(v).is_integer():
                raise ValueError("Int bounds and step must be integers, not %r" % (v,))
        self.lo = _lib.int64(int(lo), "Int lower bound")
        self.hi = _lib.int64(int(hi), "Int upper bound")
        self.scale = _scale(log, scale)
        self.step = int(step)
        if self.step < 1:
            raise ValueError("step must be an integer >= 1, not %r" % (step,))
        if self.step > 1 and self.scale != _lib.SCALE_LINEAR:
            raise ValueError("step needs the linear scale")
        if self.step > 1 and self.lo > self.hi:
            raise ValueError("Int lo %d > hi %d" % (self.lo, self.hi))
        self._kmax = max(0, (self.hi - self.lo) // self.step)

    def _add(self, space: Any, name: bytes) -> int:
        if self.step > 1:
            return int(_lib.lib.hpt_space_add_int(space, name, 0, self._kmax, _lib.SCALE_LINEAR))
        return int(_lib.lib.hpt_space_add_int(space, name, self.lo, self.hi, self.scale))

    def _native(self, x: float) -> int:
        if self.step > 1:
            return self.lo + int(x) * self.step
        return int(x)

    def _converter(self) -> Callable[[float], Any]:
        return int if self.step == 1 else self._native  # type: ignore[return-value]

    def _core(self, value: Any) -> float:
        if self.step > 1:
            return float((int(value) - self.lo) // self.step)
        return float(value)

    def _contains(self, value: Any) -> bool:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            return False
        v = int(value)
        return self.lo <= v <= self.hi and (v - self.lo) % self.step == 0

    def _filler(self) -> float:
        if self.step > 1:
            return float(self._kmax // 2)
        if self.scale == _lib.SCALE_LOG and self.lo > 0:
            return float(round(math.sqrt(self.lo * self.hi)))
        return float((self.lo + self.hi) // 2)

    def _sample(self, rng: "random.Random") -> int:
        if self.step > 1:
            return self._native(rng.randint(0, self._kmax))
        if self.scale == _lib.SCALE_LOG or (self.scale == _lib.SCALE_AUTO and self.lo > 0
                                            and self.hi >= 100 * self.lo):
            # Uniform on the log of [lo - 0.5, hi + 0.5], so each integer
            # gets its share of the log scale.
            a, b = math.log(self.lo - 0.5 if self.lo > 0.5 else self.lo), math.log(self.hi + 0.5)
            return min(self.hi, max(self.lo, int(round(math.exp(rng.uniform(a, b))))))
        return rng.randint(self.lo, self.hi)

    def _key(self) -> Tuple[Any, ...]:
        return ("int", self.lo, self.hi, self.scale, self.step)

    def _journal(self) -> str:
        if self.step > 1:
            return "int linear 0 %d" % self._kmax
        return "int %s %d %d" % (_SCALE_NAMES[self.scale], self.lo, self.hi)

    def _to_json(self) -> Dict[str, Any]:
        return {"type": "int", "lo": self.lo, "hi": self.hi,
                "scale": _SCALE_NAMES[self.scale], "step": self.step}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Int) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        extra = "" if self.step == 1 else ", step=%d" % self.step
        return "Int(%r, %r, scale=%r%s)" % (self.lo, self.hi, _SCALE_NAMES[self.scale], extra)


def _fits(label: str) -> bool:
    b = label.encode("utf-8")
    return 0 < len(b) <= _lib.MAX_NAME


def _truncate(label: str) -> str:
    b = label.encode("utf-8")[:_lib.MAX_NAME]
    return b.decode("utf-8", "ignore")


def _plain_label(c: Any) -> str:
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

    def __init__(self, choices: Iterable[Any]) -> None:
        self.choices = list(choices)
        if not self.choices:
            raise ValueError("Categorical needs at least one choice")
        self.labels = self._labels()

    def _labels(self) -> List[str]:
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

    def _add(self, space: Any, name: bytes) -> int:
        arr = (ctypes.c_char_p * len(self.labels))(
            *[_lib.encode(l, "choice label %r" % l) for l in self.labels])
        return int(_lib.lib.hpt_space_add_categorical(space, name, arr, len(self.labels)))

    def _native(self, x: float) -> Any:
        return self.choices[int(x)]

    def index(self, value: Any) -> int:
        """Index of `value` among the choices (by identity, then equality)."""
        for i, c in enumerate(self.choices):
            if c is value:
                return i
        return self.choices.index(value)

    def _converter(self) -> Callable[[float], Any]:
        return self._native

    def _core(self, value: Any) -> float:
        return float(self.index(value))

    def _contains(self, value: Any) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def _filler(self) -> float:
        return 0.0

    def _sample(self, rng: "random.Random") -> Any:
        return self.choices[rng.randrange(len(self.choices))]

    def _key(self) -> Tuple[Any, ...]:
        return ("categorical", tuple(self.labels))

    def _journal(self) -> str:
        return "categorical %d %s" % (len(self.labels), " ".join(
            escape(l) for l in self.labels))

    def _to_json(self) -> Dict[str, Any]:
        return {"type": "categorical", "choices": self.choices}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Categorical) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Categorical(%r)" % (self.choices,)


def escape(text: str) -> str:
    """A string as the journal writes it: bytes <= 0x20, '%' and 0x7f as %XX."""
    return "".join("%%%02X" % b if b <= 0x20 or b in (0x25, 0x7f) else chr(b)
                   for b in text.encode("utf-8")).encode("latin-1").decode("utf-8")


def unescape(text: str) -> str:
    """The inverse of escape."""
    out = bytearray()
    b = text.encode("utf-8")
    i = 0
    while i < len(b):
        if b[i] == 0x25 and i + 2 < len(b):
            out.append(int(b[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(b[i])
            i += 1
    return out.decode("utf-8", "replace")


def from_json(d: Dict[str, Any]) -> "Descriptor":
    """The descriptor of a _to_json dict (the front end's history file)."""
    if d["type"] == "float":
        return Float(d["lo"], d["hi"], scale=d["scale"], step=d.get("step"))
    if d["type"] == "int":
        return Int(d["lo"], d["hi"], scale=d["scale"], step=d.get("step", 1))
    if d["type"] == "categorical":
        return Categorical(d["choices"])
    raise ValueError("unknown parameter type %r" % (d["type"],))


_TYPES = (Float, Int, Categorical)
#: Any parameter descriptor.
Descriptor = Union[Float, Int, Categorical]


class Space:
    """The binding's view of a space dict: names, descriptors, and a C space
    handle built from them (owned; released by close() or when collected)."""

    def __init__(self, space: Dict[str, Any]) -> None:
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
        self._convert = [(n, p._converter()) for n, p in zip(self.names, self.params)]
        self.handle = ctypes.c_void_p()
        _lib.check(_lib.lib.hpt_space_create(ctypes.byref(self.handle)))
        try:
            for n, p in zip(self.names, self.params):
                _lib.check(p._add(self.handle, _lib.encode(n, "parameter name %r" % n)))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.handle:
            _lib.lib.hpt_space_destroy(self.handle)
            self.handle = ctypes.c_void_p()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __len__(self) -> int:
        return len(self.names)

    def to_native(self, values: Sequence[float]) -> Dict[str, Any]:
        """Dense doubles in space order -> dict of native Python values."""
        return {n: f(v) for (n, f), v in zip(self._convert, values)}
