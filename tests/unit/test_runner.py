"""How the bot process is put together: intents, sharding, the API base."""

import discord

from config import load_settings
from handlers import api_base
from handlers.runner import ShardedStoryBot, StoryBot, intents_for, make_bot


def settings(**values: str):
    return load_settings({"DISCORD_TOKEN": "x", **values}, env_file=None)


def test_message_content_is_requested_only_for_qa_channels() -> None:
    assert not intents_for(settings()).message_content
    assert intents_for(settings(QA_CHANNEL_IDS="123")).message_content
    minimal = intents_for(settings())
    assert minimal.guilds and minimal.guild_messages and minimal.dm_messages
    assert not minimal.members and not minimal.presences


async def test_a_shard_count_makes_an_auto_sharded_bot() -> None:
    plain = make_bot(settings())
    sharded = make_bot(settings(SHARD_COUNT="2", SHARD_IDS="0,1"))
    try:
        assert type(plain) is StoryBot
        assert isinstance(sharded, ShardedStoryBot) and isinstance(sharded, discord.AutoShardedClient)
        assert sharded.shard_count == 2 and sharded.shard_ids == [0, 1]
        assert sharded.settings.shard_ids == (0, 1)
    finally:
        await plain.close()  # the sharded one opened nothing yet (discord.py cannot close it unstarted)


def test_the_api_base_redirects_every_rest_route() -> None:
    before = discord.http.Route.BASE
    try:
        api_base.point_discord_at("http://127.0.0.1:9/api/v10/")
        assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    finally:
        discord.http.Route.BASE = before


def test_a_missing_privileged_intent_is_explained_not_thrown(monkeypatch, caplog) -> None:
    from handlers import runner

    async def refuse(_settings) -> None:
        raise discord.PrivilegedIntentsRequired(shard_id=None)

    monkeypatch.setattr(runner, "_serve", refuse)
    monkeypatch.setattr(runner, "setup_logging", lambda _settings: None)
    assert runner.run(settings(QA_CHANNEL_IDS="1")) == 1
    assert "Message Content intent" in caplog.text and "Privileged Gateway Intents" in caplog.text


def test_a_broken_database_stops_the_bot_with_one_line(monkeypatch, caplog, tmp_path) -> None:
    from handlers import runner

    database = tmp_path / "k.db"
    database.write_bytes(b"not a database" * 100)
    monkeypatch.setattr(runner, "setup_logging", lambda _settings: None)
    monkeypatch.setattr(runner, "point_discord_at", lambda _base: None)

    async def serve(current) -> None:
        bot = runner.make_bot(current)
        async with bot:
            await bot.setup_hook()

    monkeypatch.setattr(runner, "_serve", serve)
    assert runner.run(settings(DATABASE_PATH=str(database))) == 1
    assert str(database) in caplog.text and "Traceback" not in caplog.text


async def test_messages_are_questions_never_prefix_commands(monkeypatch) -> None:
    """No fake prefix: a mention is not parsed as a command (it used to raise CommandNotFound)."""
    bot = StoryBot(settings())
    parsed: list[object] = []
    monkeypatch.setattr(bot, "process_commands", parsed.append)
    try:
        await bot.on_message(object())  # type: ignore[arg-type]
        assert parsed == [] and list(bot.command_prefix) == []
    finally:
        await bot.close()


def test_the_command_hash_lives_beside_the_database(tmp_path) -> None:
    from handlers.tree_sync import hash_file

    assert hash_file(tmp_path / "knowledge.db") == tmp_path / "knowledge.db.commands-hash"
