"""Study.options(): the library's option table seen from Python, checked
against the manual (include/hpt.h documents each option by its quoted name)."""
import math
import re

import pytest

import hpt

SPACE = {"x": hpt.Float(0.0, 1.0), "n": hpt.Int(1, 4)}


def pruners():
    return hpt.Study(SPACE).options()["pruner"].choices


def documented(root):
    text = (root / "include" / "hpt.h").read_text()
    return set(re.findall(r'"([a-z_]+(?:\.[a-z_]+)?)"', text))


@pytest.mark.parametrize("strategy", hpt.strategies())
def test_every_listed_option_is_documented_and_every_documented_one_listed(root, strategy):
    doc = documented(root)
    opts = hpt.Study(SPACE, strategy).options()
    for name in opts:
        assert name in doc, "option %s is not documented in hpt.h" % name
    for name in doc:
        if name.startswith(strategy + "."):
            assert name in opts, "hpt.h documents %s, the library does not list it" % name
    for study_option in ("max_trials", "max_seconds", "target_value", "patience", "pruner"):
        assert study_option in opts


def test_pruner_options_are_listed_once_chosen_and_documented(root):
    doc = documented(root)
    seen = set()
    assert pruners()[0] == "none"
    for p in pruners():
        opts = hpt.Study(SPACE, pruner=p).options()
        mine = {n for n in opts if n.startswith("pruner.")}
        assert bool(mine) == (p != "none")
        assert mine <= doc
        seen |= mine
    assert seen == {n for n in doc if n.startswith("pruner.")}


def test_option_fields_and_values():
    study = hpt.Study(SPACE, "hyperband", hyperband__eta=4, pruner="median")
    opts = study.options()
    eta = opts["hyperband.eta"]
    assert (eta.kind, eta.default, eta.value, eta.hi) == ("real", 3.0, 4.0, 1e6)
    assert 1.0 < eta.lo < 1.0 + 1e-15            # (1, 1e6]: the double above 1
    sampler = opts["hyperband.sampler"]
    assert sampler.kind == "string" and sampler.value == "bayes"
    assert set(sampler.choices) == {"bayes", "random", "sobol"}
    assert (sampler.lo, sampler.hi, sampler.default) == (None, None, None)
    assert opts["pruner"].value == "median" and study.get_option("pruner") == "median"
    assert opts["hyperband.async"] == hpt.Option("hyperband.async", "bool", 0.0, 1.0, True, True)
    assert opts["max_trials"].kind == "int" and opts["max_trials"].value == 0
    target = opts["target_value"]
    assert target.default is None and math.isnan(target.value)
    # the bounds are the setter's: lo and hi accepted, just outside refused
    study.set_option("hyperband.eta", eta.lo)
    with pytest.raises(hpt.InvalidArgument, match="hyperband.eta must be in \\(1, 1000000\\]"):
        study.set_option("hyperband.eta", 1.0)
    with pytest.raises(hpt.ParamTypeError):
        study.set_option("hyperband.sampler", 1)


def test_a_journaled_study_lists_its_journal_option(tmp_path):
    with hpt.Study(SPACE, journal=tmp_path / "j.hptj") as study:
        fsync = study.options()["journal.fsync"]
        assert (fsync.kind, fsync.default, fsync.value) == ("bool", True, True)
    assert "journal.fsync" not in hpt.Study(SPACE).options()
