"""Search-space descriptors: hpt.Float, hpt.Int, hpt.Categorical.

A space is a dict name -> descriptor; its insertion order is the order of
the parameters in the library (and of a trial's dense parameter array).

Steps, scales and conditions are the library's own (hpt_space_set_step,
HPT_SCALE_*, hpt_space_add_condition[_range]): the binding translates, it
does not snap or check values itself, so a value Python accepts is a value
every strategy can return. A descriptor keeps a one-parameter library space
(its *codec*) for the few things Python needs without a study: checking a
value, drawing one at random, the middle of the range.
"""
import ctypes
import inspect
import math
import numbers
import random
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from . import _lib

_SCALES = {
    "linear": _lib.SCALE_LINEAR,
    "log": _lib.SCALE_LOG,
    "reverse_log": _lib.SCALE_REVERSE_LOG,
    "auto": _lib.SCALE_AUTO,
    "logit": _lib.SCALE_LOGIT,
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


#: What `when=` maps a parent's name to: a choice, a list/set of choices
#: (categorical parent), or a (lo, hi) pair with None for an open end
#: (numeric parent).
When = Optional[Mapping[str, Any]]


def _freeze(v: Any) -> Any:
    """A hashable key of one when= value, equal for the spellings that mean
    the same: "sgd" and ["sgd"], (3, None) and (3, inf)."""
    if isinstance(v, (list, set, frozenset)):
        return ("in", tuple(sorted((_hashable(x) for x in v), key=repr)))
    if isinstance(v, tuple):
        return ("tuple", tuple(math.inf if x is None else _hashable(x) for x in v))
    return ("in", (_hashable(v),))


def _hashable(v: Any) -> Any:
    try:
        hash(v)
    except TypeError:
        return ("repr", repr(v))
    return v


def _when(when: When) -> Dict[str, Any]:
    if when is None:
        return {}
    if not isinstance(when, Mapping):
        raise TypeError("when= maps parent names to choices or (lo, hi) ranges, not %r"
                        % (when,))
    for k in when:
        if not isinstance(k, str):
            raise TypeError("when=: parent names are str, not %r" % (k,))
    return dict(when)


def _when_json(when: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in when.items():
        if isinstance(v, (list, set, frozenset)):
            out[k] = {"in": list(v)}
        elif isinstance(v, tuple):
            out[k] = {"tuple": list(v)}
        else:
            out[k] = {"is": v}
    return out


def _when_from_json(d: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in (d or {}).items():
        if "in" in v:
            out[k] = list(v["in"])
        elif "tuple" in v:
            out[k] = tuple(v["tuple"])
        else:
            out[k] = v["is"]
    return out


class _Param:
    """What the three descriptors share: conditions and the codec."""

    when: Dict[str, Any]
    _codec_space: Optional["Space"]

    def _add(self, space: Any, name: bytes) -> int:
        raise NotImplementedError

    def _key(self) -> Tuple[Any, ...]:
        raise NotImplementedError

    def _when_key(self) -> Tuple[Any, ...]:
        return tuple(sorted((k, _freeze(v)) for k, v in self.when.items()))

    def _plain(self) -> "Descriptor":
        """The same parameter without conditions."""
        return self._with_when(None) if self.when else self  # type: ignore[return-value]

    def _with_when(self, when: When) -> "Descriptor":
        raise NotImplementedError

    def _codec(self) -> "Space":
        # Built on first use: most descriptors only ever go into a study.
        sp = getattr(self, "_codec_space", None)
        if sp is None:
            sp = Space({"x": self._plain()})
            self._codec_space = sp
        return sp

    def _contains(self, value: Any) -> bool:
        """Whether the library accepts `value` for this parameter (range,
        step, integrality, choice)."""
        try:
            x = self._core(value)
        except (TypeError, ValueError, OverflowError):
            return False
        return self._codec().encodes([x])

    def _core(self, value: Any) -> float:
        raise NotImplementedError

    def _native(self, x: float) -> Any:
        raise NotImplementedError

    def _middle(self) -> Any:
        """The value of the unit coordinate 1/2 (what the library gives an
        inactive parameter internally)."""
        return self._native(self._codec().decode([0.5])[0])

    def _sample(self, rng: "random.Random") -> Any:
        """A value drawn uniformly on the parameter's scale (and step)."""
        return self._native(self._codec().decode([rng.random()])[0])

    def _when_repr(self) -> str:
        return "" if not self.when else ", when=%r" % (self.when,)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __getstate__(self) -> Dict[str, Any]:
        # The codec is a C handle: never pickled or copied, rebuilt on use.
        d = dict(self.__dict__)
        d.pop("_codec_space", None)
        return d

    def __setstate__(self, d: Dict[str, Any]) -> None:
        self.__dict__.update(d)
        self._codec_space = None


class Float(_Param):
    """A real parameter on [lo, hi] (both included).

    scale: "linear" (default), "log" (same as log=True, needs lo > 0),
    "reverse_log" (dense near 1: needs 0 <= lo <= hi < 1, for momentum-like
    values), "logit" (uniform in log(x / (1 - x)): needs 0 < lo <= hi < 1,
    for fractions such as max_features or Adam's betas) or "auto" (log
    when lo > 0 and hi/lo >= 100).
    step: only lo, lo + step, lo + 2 step ... <= hi (the library's
    hpt_space_set_step: linear scale only; the points are lo + k step
    rounded to 15 significant digits, so a step of 0.1 gives 0.3).
    when: the conditions under which the parameter exists, e.g.
    when={"optimizer": ["sgd"]} or when={"n_layers": (3, None)} (see
    hpt.Space conditions in help(hpt.Study)). Trial values are Python
    floats; a trial omits the parameters that are inactive in it."""

    def __init__(self, lo: float, hi: float, log: bool = False,
                 scale: "str | int | None" = None, step: "float | None" = None,
                 when: When = None) -> None:
        self.lo = _lib.real(lo, "Float lower bound")
        self.hi = _lib.real(hi, "Float upper bound")
        self.scale = _scale(log, scale)
        self.step: Optional[float] = None if step is None else _lib.real(step, "Float step")
        self.when = _when(when)
        self._codec_space = None
        if self.step is not None:
            self._codec()      # the library's verdict on the step, now

    def _add(self, space: Any, name: bytes) -> int:
        rc = int(_lib.lib.hpt_space_add_float(space, name, self.lo, self.hi, self.scale))
        if rc == _lib.OK and self.step is not None:
            rc = int(_lib.lib.hpt_space_set_step(space, name, self.step))
        return rc

    def _native(self, x: float) -> float:
        return float(x)

    def _converter(self) -> Callable[[float], Any]:
        return float

    def _core(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError("not a number: %r" % (value,))
        return float(value)

    def _key(self) -> Tuple[Any, ...]:
        return ("float", self.lo, self.hi, self.scale, self.step, self._when_key())

    def _with_when(self, when: When) -> "Float":
        return Float(self.lo, self.hi, scale=self.scale, step=self.step, when=when)

    def _to_json(self) -> Dict[str, Any]:
        d = {"type": "float", "lo": self.lo, "hi": self.hi,
             "scale": _SCALE_NAMES[self.scale], "step": self.step}
        if self.when:
            d["when"] = _when_json(self.when)
        return d

    def __repr__(self) -> str:
        extra = "" if self.step is None else ", step=%r" % self.step
        return "Float(%r, %r, scale=%r%s%s)" % (self.lo, self.hi, _SCALE_NAMES[self.scale],
                                                 extra, self._when_repr())


class Int(_Param):
    """An integer parameter on [lo, hi] (both included).

    scale: "linear" (default: uniform over the integers), "log" (same as
    log=True, needs lo >= 1) or "auto". step: only lo, lo + step, ... <= hi
    (hpt_space_set_step; a whole number >= 1, linear scale). when: as for
    hpt.Float. Trial values are Python ints."""

    def __init__(self, lo: int, hi: int, log: bool = False,
                 scale: "str | int | None" = None, step: int = 1,
                 when: When = None) -> None:
        for v in (lo, hi, step):
            if isinstance(v, float) and not float(v).is_integer():
                raise ValueError("Int bounds and step must be integers, not %r" % (v,))
        self.lo = _lib.int64(int(lo), "Int lower bound")
        self.hi = _lib.int64(int(hi), "Int upper bound")
        self.scale = _scale(log, scale)
        self.step = _lib.int64(int(step), "Int step")
        self.when = _when(when)
        self._codec_space = None
        if self.step != 1:
            self._codec()

    def _add(self, space: Any, name: bytes) -> int:
        rc = int(_lib.lib.hpt_space_add_int(space, name, self.lo, self.hi, self.scale))
        if rc == _lib.OK and self.step != 1:
            rc = int(_lib.lib.hpt_space_set_step(space, name, float(self.step)))
        return rc

    def _native(self, x: float) -> int:
        return int(x)

    def _converter(self) -> Callable[[float], Any]:
        return int

    def _core(self, value: Any) -> float:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError("not an integer: %r" % (value,))
        v = int(value)
        if abs(v) > 2 ** 53:
            raise ValueError("integer %d is not exact as a double" % v)
        return float(v)

    def _key(self) -> Tuple[Any, ...]:
        return ("int", self.lo, self.hi, self.scale, self.step, self._when_key())

    def _with_when(self, when: When) -> "Int":
        return Int(self.lo, self.hi, scale=self.scale, step=self.step, when=when)

    def _to_json(self) -> Dict[str, Any]:
        d = {"type": "int", "lo": self.lo, "hi": self.hi,
             "scale": _SCALE_NAMES[self.scale], "step": self.step}
        if self.when:
            d["when"] = _when_json(self.when)
        return d

    def __repr__(self) -> str:
        extra = "" if self.step == 1 else ", step=%d" % self.step
        return "Int(%r, %r, scale=%r%s%s)" % (self.lo, self.hi, _SCALE_NAMES[self.scale],
                                               extra, self._when_repr())


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


class Categorical(_Param):
    """A choice among `choices`: any Python objects (strings, numbers, None,
    tuples, classes ...). Trials give back the very objects passed here. The
    library knows each choice by a label: the string itself for strings,
    the qualified name for classes and functions, repr() otherwise (prefixed by the type name when that is needed to keep
    labels distinct and non-empty); labels appear in journals and exports.
    when: as for hpt.Float.
    """

    def __init__(self, choices: Iterable[Any], when: When = None) -> None:
        self.choices = list(choices)
        if not self.choices:
            raise ValueError("Categorical needs at least one choice")
        self.labels = self._labels()
        self.when = _when(when)
        self._codec_space = None

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

    def _key(self) -> Tuple[Any, ...]:
        return ("categorical", tuple(self.labels), self._when_key())

    def _with_when(self, when: When) -> "Categorical":
        return Categorical(self.choices, when=when)

    def _to_json(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"type": "categorical", "choices": self.choices}
        if self.when:
            d["when"] = _when_json(self.when)
        return d

    def __repr__(self) -> str:
        return "Categorical(%r%s)" % (self.choices, self._when_repr())


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
    when = _when_from_json(d.get("when"))
    if d["type"] == "float":
        return Float(d["lo"], d["hi"], scale=d["scale"], step=d.get("step"), when=when)
    if d["type"] == "int":
        return Int(d["lo"], d["hi"], scale=d["scale"], step=d.get("step", 1), when=when)
    if d["type"] == "categorical":
        return Categorical(d["choices"], when=when)
    raise ValueError("unknown parameter type %r" % (d["type"],))


_TYPES = (Float, Int, Categorical)
#: Any parameter descriptor.
Descriptor = Union[Float, Int, Categorical]

#: One condition as the library takes it: (child, parent, labels, None) for
#: hpt_space_add_condition, (child, parent, None, (lo, hi)) for the range form.
Condition = Tuple[str, str, Optional[List[str]], Optional[Tuple[float, float]]]


def _bound(v: Any, default: float, what: str) -> float:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError("%s: a range end is a number or None, not %r" % (what, v))
    return _lib.real(v, what)


def conditions(space: Mapping[str, Any]) -> Iterator[Condition]:
    """The library conditions that the `when=` of each parameter asks for.
    A categorical parent takes a choice or a list, set or tuple of choices
    (a tuple that is itself one of the choices counts as that choice); a
    numeric parent takes (lo, hi) with None for an open end, or one value."""
    for child, d in space.items():
        for parent, v in d.when.items():
            what = "%r when %r" % (child, parent)
            p = space.get(parent)
            if p is None:
                raise _lib.UnknownName("parameter %r: its condition names %r, which is not "
                                       "in the space" % (child, parent))
            if isinstance(p, Categorical):
                if isinstance(v, (list, set, frozenset)) or (
                        isinstance(v, tuple) and not p._contains(v)):
                    values = list(v)
                else:
                    values = [v]
                labels = []
                for c in values:
                    if not p._contains(c):
                        raise _lib.UnknownName("%s: %r is not one of %r's choices %r"
                                               % (what, c, parent, p.choices))
                    labels.append(p.labels[p.index(c)])
                yield child, parent, labels, None
            elif isinstance(v, (tuple, list)):
                if len(v) != 2:
                    raise ValueError("%s: a range is (lo, hi), not %r" % (what, v))
                yield child, parent, None, (_bound(v[0], -math.inf, what),
                                            _bound(v[1], math.inf, what))
            else:
                x = _bound(v, math.nan, what)
                yield child, parent, None, (x, x)


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
        self.conditional = any(p.when for p in self.params)
        self.handle = ctypes.c_void_p()
        self._dense = ctypes.c_double * len(self.names)
        _lib.check(_lib.lib.hpt_space_create(ctypes.byref(self.handle)))
        try:
            for n, p in zip(self.names, self.params):
                _lib.check(p._add(self.handle, _lib.encode(n, "parameter name %r" % n)))
            for child, parent, labels, rng in conditions(space):
                c, pa = _lib.encode(child), _lib.encode(parent)
                if labels is not None:
                    arr = (ctypes.c_char_p * len(labels))(*[_lib.encode(l) for l in labels])
                    _lib.check(_lib.lib.hpt_space_add_condition(self.handle, c, pa, arr,
                                                                len(labels)))
                else:
                    assert rng is not None
                    _lib.check(_lib.lib.hpt_space_add_condition_range(self.handle, c, pa,
                                                                      rng[0], rng[1]))
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
        """Dense doubles in space order -> dict of native Python values; the
        NaN of an inactive parameter leaves it out."""
        return {n: f(v) for (n, f), v in zip(self._convert, values) if v == v}

    def to_core(self, params: Mapping[str, Any], what: str = "params") -> List[float]:
        """A dict of native values -> dense doubles in space order, NaN for a
        missing name (hpt_study_enqueue's "the strategy chooses")."""
        unknown = [k for k in params if k not in self.names]
        if unknown:
            raise _lib.UnknownName("%s: %r is not a parameter of the space (%s)"
                                   % (what, unknown[0], ", ".join(self.names)))
        out = []
        for n, p in zip(self.names, self.params):
            if n not in params:
                out.append(math.nan)
                continue
            try:
                out.append(p._core(params[n]))
            except (TypeError, ValueError, OverflowError) as e:
                raise _lib.InvalidArgument("%s: %r=%r is not a value of %r (%s)"
                                           % (what, n, params[n], p, e)) from None
        return out

    def encodes(self, values: Sequence[float]) -> bool:
        """Whether the library's codec accepts the configuration."""
        u = self._dense()
        return int(_lib.lib.hpt_space_encode(self.handle, self._dense(*values), u,
                                             len(self.names))) == _lib.OK

    def decode(self, unit: Sequence[float]) -> List[float]:
        """Unit-cube coordinates -> values (hpt_space_decode)."""
        out = self._dense()
        _lib.check(_lib.lib.hpt_space_decode(self.handle, self._dense(*unit), out,
                                             len(self.names)))
        return list(out)
