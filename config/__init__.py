"""Settings for the bot, read from the environment, `.env` and an optional settings file."""

from .settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
