"""Space descriptors: scales, native values within bounds, errors."""
import math

import pytest

import hpt


def test_descriptors_and_reprs():
    assert hpt.Float(0, 1).scale == hpt.CONSTANTS["HPT_SCALE_LINEAR"]
    assert hpt.Float(1e-3, 1, log=True).scale == hpt.CONSTANTS["HPT_SCALE_LOG"]
    assert hpt.Float(0, 0.99, scale="reverse_log").scale == hpt.CONSTANTS["HPT_SCALE_REVERSE_LOG"]
    assert hpt.Float(1, 1000, scale="auto").scale == hpt.CONSTANTS["HPT_SCALE_AUTO"]
    assert hpt.Int(1, 8, scale="log").scale == hpt.CONSTANTS["HPT_SCALE_LOG"]
    assert "reverse_log" in repr(hpt.Float(0, 0.9, scale="reverse-log"))
    assert "Int(1, 8" in repr(hpt.Int(1, 8))
    assert "Categorical" in repr(hpt.Categorical("ab"))


def test_bad_descriptors_are_refused_in_python():
    with pytest.raises(ValueError):
        hpt.Float(0, 1, scale="cubic")
    with pytest.raises(ValueError):
        hpt.Float(1, 2, log=True, scale="linear")
    with pytest.raises(ValueError):
        hpt.Int(0.5, 3)
    with pytest.raises(ValueError):
        hpt.Categorical([])
    with pytest.raises(ValueError):
        hpt.Study({})
    with pytest.raises(TypeError):
        hpt.Study({"x": (0, 1)})
    with pytest.raises(TypeError):
        hpt.Study({1: hpt.Float(0, 1)})


@pytest.mark.parametrize("param, fragment", [
    (hpt.Float(1.0, 0.0), "lo 1 > hi 0"),
    (hpt.Float(0.0, 1.0, log=True), "x"),
    (hpt.Float(0.0, math.inf), "finite"),
    (hpt.Float(0.5, 1.5, scale="reverse_log"), "x"),
    (hpt.Int(0, 5, log=True), "x"),
    (hpt.Int(0, 5, scale="reverse_log"), "x"),
    (hpt.Categorical(["a", "a"]), "twice"),
])
def test_library_refusals_raise_with_the_c_message(param, fragment):
    with pytest.raises(hpt.InvalidArgument) as e:
        hpt.Study({"x": param})
    msg = str(e.value)
    assert msg.startswith("hpt_space_add_"), msg
    assert "'x'" in msg and fragment in msg
    assert e.value.status == hpt.CONSTANTS["HPT_E_INVALID"]
    assert isinstance(e.value, ValueError)


def test_categorical_labels_stay_distinct_and_values_stay_native():
    marker = object()
    choices = ["1", 1, 1.0, None, "", (1, "x"), marker, "é" * 300]
    c = hpt.Categorical(choices)
    assert len(set(c.labels)) == len(choices)
    assert all(0 < len(l.encode()) <= 255 for l in c.labels)
    study = hpt.Study({"c": c}, "grid")
    seen = []
    while (t := study.ask()) is not None:
        seen.append(t.params["c"])
        study.tell(t, 0.0)
    assert len(seen) == len(choices)
    for v in choices:
        assert any(v is s for s in seen)
    assert c.index(marker) == 6 and c.index(1.0) in (1, 2)


def test_string_choices_keep_their_names():
    assert hpt.Categorical(["relu", "tanh"]).labels == ["relu", "tanh"]


@pytest.mark.parametrize("strategy", ["grid", "random", "sobol"])
def test_params_are_native_and_within_bounds(space6, strategy):
    study = hpt.Study(space6, strategy, seed=3, max_trials=200)
    n = 0
    while (t := study.ask()) is not None:
        p = t.params
        assert list(p) == list(space6)
        for name, d in space6.items():
            v = p[name]
            if isinstance(d, hpt.Float):
                assert type(v) is float and d.lo <= v <= d.hi
            elif isinstance(d, hpt.Int):
                assert type(v) is int and d.lo <= v <= d.hi
            else:
                assert any(v is c for c in d.choices)
        study.tell(t, 1.0)
        n += 1
    assert n == 200


def test_fixed_float_and_auto_scale():
    study = hpt.Study({"a": hpt.Float(2.5, 2.5), "b": hpt.Float(1, 1e4, scale="auto")},
                      "random", seed=1)
    small = 0
    for _ in range(200):
        t = study.ask()
        assert t.params["a"] == 2.5
        small += t.params["b"] < 100
        study.tell(t, 0)
    assert small > 60   # log-uniform: half the mass below 100; linear: 1%


def test_steps_are_an_exact_lattice_and_bad_steps_are_refused():
    f = hpt.Float(0.0, 1.0, step=0.1)
    s = hpt.Study({"f": f, "i": hpt.Int(3, 11, step=4)}, "grid", seed=0)
    seen = []
    while (t := s.ask()) is not None:
        seen.append((t.params["f"], t.params["i"]))
        t.tell(0.0)
    assert sorted(seen) == sorted((k / 10, i) for k in range(11) for i in (3, 7, 11))
    for bad in (lambda: hpt.Float(0, 1, step=0), lambda: hpt.Float(1, 10, log=True, step=1),
                lambda: hpt.Int(1, 10, log=True, step=2), lambda: hpt.Int(5, 1, step=2),
                lambda: hpt.Int(0, 4, step=0)):
        with pytest.raises(ValueError):
            bad()
