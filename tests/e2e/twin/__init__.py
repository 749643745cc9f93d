"""A local twin of Discord's REST API v10 and Gateway for end-to-end tests.

Start a :class:`Twin`, build a world, point a real bot process at
``twin.api_base`` (the bot calls ``handlers.api_base.point_discord_at`` and
``resolve_gateway``), then drive it as Discord users would::

    twin = await Twin().start()                      # binds 127.0.0.1 on an ephemeral port
    guild = twin.create_guild("News")
    channel = twin.create_text_channel(guild, "general")
    alice = twin.create_user("alice"); twin.add_member(guild, alice)
    bot = twin.watch(BotProcess([sys.executable, "bot.py", "run"], env=twin.bot_env(),
                                cwd=repo_root, log_path=tmp / "bot.log").start())
    await twin.wait_until_ready()                    # identified, guilds delivered, commands synced
    answer = await twin.interaction_response(
        await twin.invoke_slash("ask", user=alice, channel=channel, options={"question": "Why?"}))
    assert "..." in answer.texts()
    assert twin.limit_violations() == []

In pytest, use the ``twin``, ``bot_process`` and ``floor_bot`` fixtures of
``tests/e2e/conftest.py`` instead.
"""

from .context import TwinConfig
from .driver import Twin
from .gateway import GatewayFrame, GatewaySession
from .interactions import AttachmentSpec, InvocationError, TwinInteraction
from .limits import Violation, check_message_payload, check_request, check_requests, hard_limit_problems
from .notify import TwinTimeout, WaitAborted
from .process import BotProcess, BotProcessError
from .ratelimit import RateLimitInjection
from .records import RecordedRequest, UploadedFile
from .responses import InteractionResponse, message_texts
from .state import Channel, Guild, Member, Role, User

__all__ = [
    "AttachmentSpec",
    "BotProcess",
    "BotProcessError",
    "Channel",
    "GatewayFrame",
    "GatewaySession",
    "Guild",
    "InteractionResponse",
    "InvocationError",
    "Member",
    "RateLimitInjection",
    "RecordedRequest",
    "Role",
    "Twin",
    "TwinConfig",
    "TwinInteraction",
    "TwinTimeout",
    "UploadedFile",
    "User",
    "Violation",
    "WaitAborted",
    "check_message_payload",
    "check_request",
    "check_requests",
    "hard_limit_problems",
    "message_texts",
]
