"""hptb.py -- ctypes access to build/libhpt_bench.so: the benchmark's test
functions and the digits training task, the very C code the libhpt side
runs (bench/functions.h, bench/digits.h). Standard library only."""
import ctypes
import math
import os

FLOAT, INT, CATEGORICAL = 0, 1, 2
OK, FAILED = 0, 1
DIVERGED = 2
PART_TRAIN, PART_VALID, PART_TEST = 0, 1, 2
NOISE_KEY_STRIDE = 1000003  # key = seed * stride + evaluation (as hpt-bench)
_U64 = (1 << 64) - 1


class Lib:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        L = self.c = ctypes.CDLL(self.path)
        i32, dbl, u64 = ctypes.c_int32, ctypes.c_double, ctypes.c_uint64
        pd, vp = ctypes.POINTER(ctypes.c_double), ctypes.c_void_p
        sig = {
            "hptb_function_count": (i32, []),
            "hptb_function_name": (ctypes.c_char_p, [i32]),
            "hptb_function_find": (i32, [ctypes.c_char_p]),
            "hptb_function_dim": (i32, [i32]),
            "hptb_function_param": (i32, [i32, i32, ctypes.POINTER(i32), ctypes.POINTER(i32),
                                          pd, pd]),
            "hptb_function_param_name": (ctypes.c_char_p, [i32, i32]),
            "hptb_function_choice_name": (ctypes.c_char_p, [i32, i32, i32]),
            "hptb_function_optimum": (dbl, [i32]),
            "hptb_function_noise_sd": (dbl, [i32]),
            "hptb_function_eval": (i32, [i32, pd, pd]),
            "hptb_function_eval_noisy": (i32, [i32, pd, u64, pd]),
            "hptb_digits_load": (i32, [ctypes.c_char_p, ctypes.POINTER(vp)]),
            "hptb_digits_free": (None, [vp]),
            "hptb_digits_size": (i32, [vp, i32]),
            "hptb_activation_find": (i32, [ctypes.c_char_p]),
            "hptb_net_create": (i32, [i32, i32, u64, ctypes.POINTER(vp)]),
            "hptb_net_free": (None, [vp]),
            "hptb_net_epochs": (i32, [vp]),
            "hptb_net_train": (i32, [vp, vp, dbl, dbl, dbl, i32, i32]),
            "hptb_net_evaluate": (i32, [vp, vp, i32, pd, pd]),
        }
        for name, (res, args) in sig.items():
            f = getattr(L, name)
            f.restype, f.argtypes = res, args

    # ---- test functions ------------------------------------------------------
    def functions(self):
        return [self.c.hptb_function_name(i).decode()
                for i in range(self.c.hptb_function_count())]

    def function(self, name):
        idx = self.c.hptb_function_find(name.encode())
        if idx < 0:
            raise KeyError(name)
        return Function(self, idx)


class Function:
    """One test function: its parameters and evaluation."""

    def __init__(self, lib, idx):
        c = lib.c
        self.c, self.idx = c, idx
        self.name = c.hptb_function_name(idx).decode()
        self.dim = c.hptb_function_dim(idx)
        self.optimum = c.hptb_function_optimum(idx)
        self.params = []  # (name, type, log, lo, hi, choices)
        for j in range(self.dim):
            t, lg = ctypes.c_int32(), ctypes.c_int32()
            lo, hi = ctypes.c_double(), ctypes.c_double()
            c.hptb_function_param(idx, j, ctypes.byref(t), ctypes.byref(lg),
                                  ctypes.byref(lo), ctypes.byref(hi))
            choices = None
            if t.value == CATEGORICAL:
                choices = [c.hptb_function_choice_name(idx, j, k).decode()
                           for k in range(int(hi.value) + 1)]
            self.params.append((c.hptb_function_param_name(idx, j).decode(), t.value,
                                bool(lg.value), lo.value, hi.value, choices))
        self._x = (ctypes.c_double * self.dim)()
        self._out = ctypes.c_double()

    def _load(self, x):
        for j, v in enumerate(x):
            self._x[j] = float(v)

    def eval(self, x):
        """Exact value, or None in the failure region."""
        self._load(x)
        rc = self.c.hptb_function_eval(self.idx, self._x, ctypes.byref(self._out))
        return self._check(rc)

    def eval_noisy(self, x, key):
        self._load(x)
        rc = self.c.hptb_function_eval_noisy(self.idx, self._x, key & _U64,
                                             ctypes.byref(self._out))
        return self._check(rc)

    def _check(self, rc):
        if rc == FAILED:
            return None
        if rc != OK:
            raise ValueError("%s: point outside the domain" % self.name)
        return self._out.value


class Digits:
    """The digits data set and networks (bench/digits.h)."""

    def __init__(self, lib, path=None):
        self.c = lib.c
        self.h = ctypes.c_void_p()
        rc = self.c.hptb_digits_load(path.encode() if path else None, ctypes.byref(self.h))
        if rc != OK:
            raise OSError("cannot load the digits data (%s)" % (path or "default path"))

    def close(self):
        if self.h:
            self.c.hptb_digits_free(self.h)
            self.h = ctypes.c_void_p()

    def net(self, hidden, activation, seed):
        n = ctypes.c_void_p()
        act = self.c.hptb_activation_find(activation.encode())
        if self.c.hptb_net_create(hidden, act, seed & _U64, ctypes.byref(n)) != OK:
            raise ValueError("bad network")
        return Net(self, n)


class Net:
    def __init__(self, digits, h):
        self.d, self.h = digits, h

    def __del__(self):
        if self.h:
            self.d.c.hptb_net_free(self.h)
            self.h = None

    def train(self, lr, momentum, weight_decay, batch, epochs=1):
        """True when trained, False when training diverged."""
        rc = self.d.c.hptb_net_train(self.h, self.d.h, lr, momentum, weight_decay, batch,
                                     epochs)
        if rc not in (OK, DIVERGED):
            raise ValueError("hptb_net_train: %d" % rc)
        return rc == OK

    def evaluate(self, part=PART_VALID):
        """(mean cross-entropy, error rate) on a part of the split."""
        loss, err = ctypes.c_double(), ctypes.c_double()
        self.d.c.hptb_net_evaluate(self.h, self.d.h, part, ctypes.byref(loss),
                                   ctypes.byref(err))
        return loss.value, err.value

    def error(self, part=PART_VALID):
        err = self.evaluate(part)[1]
        return err if math.isfinite(err) else None

    @property
    def epochs(self):
        return self.d.c.hptb_net_epochs(self.h)
