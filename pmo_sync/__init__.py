"""pmo-sync: keep a PMO's Excel workbooks and its teams' Jira projects consistent."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pmo-sync")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
