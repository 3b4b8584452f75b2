"""The binding's constants equal include/hpt.h's, so they cannot drift."""
import re

import hpt
from hpt import _lib

DEFINE = re.compile(r"^#define\s+(HPT_[A-Z0-9_]+)\s+\(?\s*(-?\d+)\s*\)?(?:\s|$)", re.M)


def header_constants(root):
    text = (root / "include" / "hpt.h").read_text()
    return {m.group(1): int(m.group(2)) for m in DEFINE.finditer(text)}


def test_every_python_constant_matches_the_header(root):
    header = header_constants(root)
    assert len(_lib.CONSTANTS) >= 30
    for name, value in _lib.CONSTANTS.items():
        assert name in header, "%s is not defined in include/hpt.h" % name
        assert header[name] == value, "%s: python %d, header %d" % (name, value, header[name])


def test_every_status_scale_state_direction_warm_constant_is_bound(root):
    header = header_constants(root)
    families = ("HPT_OK", "HPT_DONE", "HPT_WAIT", "HPT_E_", "HPT_SCALE_", "HPT_TRIAL_",
                "HPT_MINIMIZE", "HPT_MAXIMIZE", "HPT_WARM_", "HPT_PARAM_", "HPT_OPTION_")
    for name in header:
        if name.startswith(families):
            assert name in _lib.CONSTANTS, "%s of hpt.h is missing in hpt._lib" % name


def test_every_error_status_has_its_exception_class(root):
    header = header_constants(root)
    for name, value in header.items():
        if name.startswith("HPT_E_"):
            e = _lib.error_for(value, "msg")
            assert type(e) is not hpt.Error and e.status == value, name
            assert isinstance(e, hpt.Error)


def test_public_enums_and_scales_use_the_header_values(root):
    header = header_constants(root)
    for state in hpt.TrialState:
        assert header["HPT_TRIAL_" + state.name] == state.value
    assert (hpt.MINIMIZE, hpt.MAXIMIZE) == (header["HPT_MINIMIZE"], header["HPT_MAXIMIZE"])
    from hpt._space import _SCALES
    for name, code in _SCALES.items():
        assert header["HPT_SCALE_" + name.upper()] == code


def test_strategy_names_are_documented_in_the_header(root):
    text = (root / "include" / "hpt.h").read_text()
    names = hpt.strategies()
    assert {"grid", "random", "sobol"} <= set(names)
    for name in names:
        assert '"%s"' % name in text, "strategy %r is not documented in hpt.h" % name


def test_version_matches_the_header(root):
    header = header_constants(root)
    want = "%d.%d.%d" % (header["HPT_VERSION_MAJOR"], header["HPT_VERSION_MINOR"],
                         header["HPT_VERSION_PATCH"])
    assert hpt.library_version() == want
    assert _lib.lib.hpt_version_number() == header["HPT_VERSION_MAJOR"] * 10000 + \
        header["HPT_VERSION_MINOR"] * 100 + header["HPT_VERSION_PATCH"]
    assert _lib.EXPECTED_MAJOR == header["HPT_VERSION_MAJOR"]


def test_addon_statuses_are_a_range_with_their_own_exception(root):
    header = header_constants(root)
    lo, hi = header["HPT_ADDON_STATUS_MIN"], header["HPT_ADDON_STATUS_MAX"]
    assert lo < hi < min(v for k, v in header.items() if k.startswith("HPT_E_"))
    for status in (lo, (lo + hi) // 2, hi):
        e = _lib.error_for(status, "msg")
        assert type(e) is hpt.AddonError and e.status == status
        assert "add-on" in hpt.strerror(status)
    assert type(_lib.error_for(hi + 1, "msg")) is hpt.Error


def test_split_statuses_keep_their_old_class_as_a_base():
    assert issubclass(hpt.NoCompleteTrial, hpt.TrialStateError)
    assert issubclass(hpt.NoModel, hpt.TrialStateError)
    study = hpt.Study({"x": hpt.Float(0.0, 1.0)}, "random")
    try:
        study.best_trial
    except hpt.NoCompleteTrial as e:
        assert e.status == _lib.E_EMPTY
    else:
        raise AssertionError("best_trial of an empty study did not raise")
