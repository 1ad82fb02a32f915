"""What every command shares: the settings, read from the environment in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Settings


def settings() -> Settings:
    """The settings from the environment (pipeline.config), read when a command runs."""
    from pipeline.config import load_settings

    return load_settings()
