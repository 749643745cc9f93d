"""Who may curate: a configured moderator role or the Manage Server permission.

`default_permissions` only hides commands; a guild's integration settings can expose them
to everyone. So every curation command and component calls `is_moderator` again, on the
server side, with the member Discord sent in that very interaction.
"""

from __future__ import annotations

import discord

from config import Settings


def is_moderator(user: discord.abc.User, settings: Settings) -> bool:
    if not isinstance(user, discord.Member):
        return False
    if user.guild_permissions.manage_guild:
        return True
    allowed = set(settings.moderator_role_ids)
    return any(role.id in allowed for role in user.roles)


def actor_of(user: discord.abc.User) -> tuple[str, str]:
    """The (id, name) recorded with a change."""
    return str(user.id), user.name
