"""Seeds: the site configuration and the issues a fresh sandbox starts with."""

from __future__ import annotations

from sandbox.seed.site import build_catalog

__all__ = ["build_catalog"]
