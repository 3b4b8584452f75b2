"""The package version (read by pyproject.toml without importing hpt)."""
__version__ = "0.1.0"
