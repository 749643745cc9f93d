"""Point discord.py at a Discord-compatible API base (production Discord or the local twin).

discord.py hard-codes two addresses: ``Route.BASE`` for REST and
``DiscordWebSocket.DEFAULT_GATEWAY`` for the gateway. A non-sharded client
never asks ``GET /gateway`` where to connect; it goes straight to the built-in
gateway URL (and falls back to it after an invalidated session). To run the
unmodified bot against another server (the end-to-end test twin) both must be
redirected: the REST base before login, the gateway URL after login, from the
server's own ``GET /gateway`` answer. A sharded client (``shard_count`` given) never
asks either: it connects every shard to the built-in URL, so a sharded bot asks the
API base's ``GET /gateway/bot`` instead (the route for bots, which also carries the
session start limits). Call :func:`point_discord_at` before
``bot.start``/``bot.run`` and ``await resolve_gateway(bot.http)`` in
``setup_hook``. Both are no-ops in effect against real Discord.
"""

from __future__ import annotations

import discord
import discord.gateway
import discord.http
import yarl

DEFAULT_API_BASE = "https://discord.com/api/v10"


def point_discord_at(api_base: str | None) -> str:
    """Set discord.py's REST base (must include ``/api/v10``); returns the base in use."""
    base = (api_base or DEFAULT_API_BASE).rstrip("/")
    discord.http.Route.BASE = base
    return base


async def resolve_gateway(http: discord.http.HTTPClient, *, sharded: bool = False) -> yarl.URL:
    """Ask the API for its gateway URL and make discord.py connect there (call after login)."""
    data = await http.request(discord.http.Route("GET", "/gateway/bot" if sharded else "/gateway"))
    url = yarl.URL(data["url"])
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = url
    return url
