"""Bridges from other tuning tools to libhpt: hpt.integration.optuna.HptSampler
(libhpt's strategies as an Optuna sampler). Each submodule imports its tool
only when it is itself imported."""
