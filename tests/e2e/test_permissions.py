"""End to end: who may curate the REAL bot's fact base, checked on the server side, through the twin.

``default_permissions`` only hides /facts and /digest; a guild's integration settings can
expose them to everyone (``integration_override=True``), and anyone can replay a component
or a modal submit. So every command, select, button and modal must refuse, by itself,
anyone who is not a moderator, and every panel anyone who did not open it. "Nothing
changed" is checked on every row of every table of the bot's SQLite file.

In DMs a Discord client does not even offer /facts (the twin refuses to send it), so the
DM tests also forge the interaction (``forge_slash``), as a replayed request would carry it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import (
    RealBot,
    close_twin,
    custom_ids,
    db_snapshot,
    embeds_of,
    forge_slash,
    modal_values,
    open_twin,
)
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.twin import (
    AttachmentSpec,
    Channel,
    Guild,
    InteractionResponse,
    InvocationError,
    Role,
    Twin,
    TwinInteraction,
    User,
)
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

NOT_MODERATOR = (
    "Sorry, only moderators can curate the fact base (Manage Server permission or a moderator role)."
)
NOT_OWNER = "This panel belongs to another moderator. Run the command yourself to get your own."
NOT_IN_GUILD = "Curation works only inside a server, not in direct messages."
DIGEST_NOT_MODERATOR = "Only moderators (Manage Server or a moderator role) can manage this channel's digest."
FACT = "atlantic-revelation"
UNANSWERED = "What is the name of the cat that lives at the embassy?"


def import_file(name: str = "facts.json") -> AttachmentSpec:
    """A valid fact-base file that would change a fact and add one."""
    document = json.loads((REPO_ROOT / "knowledge" / "data" / "seed.json").read_text(encoding="utf-8"))
    document["facts"][0]["statement"]["en"] = "The Atlantic revealed the messages (changed by an import)."
    extra = dict(document["facts"][1], id="imported-by-someone")
    document["facts"].append(extra)
    return AttachmentSpec(name, json.dumps(document).encode("utf-8"), "application/json")


# Every subcommand, with options a moderator could use to change something.
FACTS_COMMANDS: dict[str, dict[str, Any]] = {
    "facts add": {"fact_id": "brand-new-fact"},
    "facts edit": {"fact_id": FACT},
    "facts show": {"fact_id": FACT},
    "facts search": {"query": "What did The Atlantic reveal?"},
    "facts history": {"fact_id": FACT},
    "facts revert": {"fact_id": FACT, "revision": 1},
    "facts retire": {"fact_id": FACT, "reason": "I say so"},
    "facts restore": {"fact_id": FACT},
    "facts variant": {"fact_id": FACT, "action": "add", "language": "en", "text": "who leaked it?"},
    "facts source": {
        "source_id": "my-blog",
        "title": "My blog",
        "publisher": "Me",
        "language": "en",
        "url": "https://example.org/blog",
        "fact_id": FACT,
    },
    "facts detach": {"fact_id": FACT, "source_id": "the-atlantic-2017-11-13"},
    "facts quote": {"fact_id": FACT},
    "facts gaps": {},
    "facts feedback": {},
    "facts export": {},
    "facts import": {"file": "import"},  # replaced by a fresh upload for each invocation
}
DIGEST_COMMANDS: dict[str, dict[str, Any]] = {
    "digest subscribe": {"time": "09:00", "timezone": "Europe/Paris", "language": "en"},
    "digest unsubscribe": {},
    "digest status": {},
}
FACT_ID_AUTOCOMPLETES = [
    "facts edit",
    "facts show",
    "facts history",
    "facts revert",
    "facts retire",
    "facts restore",
    "facts variant",
    "facts source",
    "facts detach",
    "facts quote",
]


def options_for(command: str) -> dict[str, Any]:
    options = dict({**FACTS_COMMANDS, **DIGEST_COMMANDS}[command])
    if "file" in options:
        options["file"] = import_file()
    return options


@dataclass
class Guarded:
    twin: Twin
    bot: RealBot
    guild: Guild
    desk: Channel
    mod_role: Role
    member: User  # no moderator role, no Manage Server
    moderator: User  # the moderator role
    other_moderator: User  # the moderator role too
    manager: User  # Manage Server
    _count: list[int] = field(default_factory=lambda: [0])

    def intruder(self, kind: str) -> tuple[User, str]:
        """Someone who did not open a panel, and the refusal they must get."""
        if kind == "regular member":
            return self.member, NOT_MODERATOR
        return self.other_moderator, NOT_OWNER

    async def run(
        self, command: str, user: User, options: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> InteractionResponse:
        interaction = await self.twin.invoke_slash(
            command, user=user, channel=self.desk, options=options, integration_override=True, **kwargs
        )
        return await self.twin.interaction_response(interaction, timeout=15)

    async def answer(self, interaction: TwinInteraction) -> InteractionResponse:
        return await self.twin.interaction_response(interaction, timeout=15)

    def everything(self) -> dict[str, list[tuple[Any, ...]]]:
        return db_snapshot(self.bot)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Guarded]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Guarded Guild")
        desk = twin.create_text_channel(guild, "desk")
        mod_role = twin.create_role(guild, "Moderators")
        managers = twin.create_role(guild, "Managers", permissions=MANAGE_GUILD)
        users = {name: twin.create_user(name) for name in ("regular", "mod-a", "mod-b", "boss")}
        twin.add_member(guild, users["regular"])
        twin.add_member(guild, users["mod-a"], roles=[mod_role])
        twin.add_member(guild, users["mod-b"], roles=[mod_role])
        twin.add_member(guild, users["boss"], roles=[managers])
        bot = RealBot(
            twin, Path(tmp_path_factory.mktemp("permissions")), {"MODERATOR_ROLE_IDS": str(mod_role.id)}
        )
        try:
            await bot.start_ready()
            world = Guarded(
                twin,
                bot,
                guild,
                desk,
                mod_role,
                users["regular"],
                users["mod-a"],
                users["mod-b"],
                users["boss"],
            )
            # One unanswered question, so that /facts gaps has something to offer.
            asked = await twin.invoke_slash(
                "ask", user=users["regular"], channel=desk, options={"question": UNANSWERED}
            )
            await twin.interaction_response(asked, timeout=15)
            yield world
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


def assert_refused(response: InteractionResponse, refusal: str) -> None:
    """An ephemeral message saying no: not a form, not a file, not a panel."""
    assert response.callback_type == 4, (response.callback_type, response.texts())
    assert response.ephemeral
    assert response.content == refusal
    assert response.modal is None
    message = response.message or {}
    assert embeds_of(message) == [] and custom_ids(message) == [] and not message.get("attachments")
    assert response.followups == []


# ------------------------------------------------------------- commands, by a regular member
async def test_every_curation_subcommand_is_covered(world: Guarded) -> None:
    [facts] = [c for c in world.twin.registered_commands(world.guild) if c["name"] == "facts"]
    assert {f"facts {o['name']}" for o in facts["options"]} == set(FACTS_COMMANDS)
    assert len(FACTS_COMMANDS) == 16
    [digest] = [c for c in world.twin.registered_commands(world.guild) if c["name"] == "digest"]
    assert {f"digest {o['name']}" for o in digest["options"]} == set(DIGEST_COMMANDS)
    # Hidden from non-moderators by default; the tests below expose them anyway.
    assert int(facts["default_member_permissions"]) == MANAGE_GUILD
    assert int(digest["default_member_permissions"]) == MANAGE_GUILD
    # ... and never offered in DMs (registered per guild here, and guild-only anyway).
    assert facts["dm_permission"] is False


@pytest.mark.parametrize("command", [*FACTS_COMMANDS, *DIGEST_COMMANDS])
async def test_regular_member_is_refused_even_when_the_guild_exposes_it(world: Guarded, command: str) -> None:
    with pytest.raises(InvocationError, match="lacks default_member_permissions"):
        await world.twin.invoke_slash(
            command, user=world.member, channel=world.desk, options=options_for(command)
        )
    before = world.everything()
    downloads = len([r for r in world.twin.requests if r.path.startswith("/attachments/")])

    response = await world.run(command, world.member, options_for(command))

    assert_refused(response, DIGEST_NOT_MODERATOR if command.startswith("digest") else NOT_MODERATOR)
    assert world.everything() == before
    assert len([r for r in world.twin.requests if r.path.startswith("/attachments/")]) == downloads


@pytest.mark.parametrize("who", ["moderator role", "manage server"])
async def test_moderators_are_not_refused(world: Guarded, who: str) -> None:
    user = world.moderator if who == "moderator role" else world.manager
    shown = await world.run("facts show", user, {"fact_id": FACT})
    status = await world.run("digest status", user)

    assert shown.ephemeral and embeds_of(shown.message)[0]["title"] == f"Fact {FACT}"
    assert status.ephemeral and status.content != DIGEST_NOT_MODERATOR
    assert "Only moderators" not in status.content


@pytest.mark.parametrize("command", FACT_ID_AUTOCOMPLETES)
async def test_fact_id_autocomplete_offers_nothing_to_a_regular_member(world: Guarded, command: str) -> None:
    twin = world.twin
    offered = await twin.autocomplete(
        command, user=world.moderator, focused="fact_id", value="atl", channel=world.desk
    )
    assert FACT in [c["value"] for c in offered]  # the control: a moderator gets ids

    assert (
        await twin.autocomplete(
            command, user=world.member, focused="fact_id", value="atl", channel=world.desk
        )
        == []
    )
    assert (
        await twin.autocomplete(command, user=world.member, focused="fact_id", value="", channel=world.desk)
        == []
    )


async def test_revision_and_wording_autocomplete_offer_nothing_to_a_regular_member(world: Guarded) -> None:
    twin = world.twin
    revisions = {"fact_id": FACT}
    wordings = {"fact_id": FACT, "action": "remove", "language": "en"}
    assert await twin.autocomplete(
        "facts revert", user=world.manager, focused="revision", options=revisions, channel=world.desk
    )
    assert await twin.autocomplete(
        "facts variant", user=world.manager, focused="text", options=wordings, channel=world.desk
    )

    assert (
        await twin.autocomplete(
            "facts revert", user=world.member, focused="revision", options=revisions, channel=world.desk
        )
        == []
    )
    assert (
        await twin.autocomplete(
            "facts variant", user=world.member, focused="text", options=wordings, channel=world.desk
        )
        == []
    )


# ------------------------------------------------------------------------ replayed components
INTRUDERS = ["regular member", "second moderator"]


@pytest.mark.parametrize("kind", INTRUDERS)
async def test_gaps_panel_refuses_everyone_but_its_owner(world: Guarded, kind: str) -> None:
    twin, owner = world.twin, world.moderator
    intruder, refusal = world.intruder(kind)
    opened = await world.run("facts gaps", owner)
    panel = opened.message
    assert panel is not None and custom_ids(panel) == ["facts:gaps:question"]
    [question] = world.bot.query("SELECT MAX(id) FROM questions_asked WHERE text = ?", (UNANSWERED,))
    before = world.everything()

    replayed = await world.answer(
        await twin.select(panel, "facts:gaps:question", [str(question[0])], user=intruder)
    )
    assert_refused(replayed, refusal)
    assert twin.message(panel)["components"] == panel["components"]

    await world.answer(await twin.select(panel, "facts:gaps:question", [str(question[0])], user=owner))
    panel = twin.message(panel)
    assert custom_ids(panel) == ["facts:gaps:question", "facts:gaps:fact"]
    replayed = await world.answer(await twin.select(panel, "facts:gaps:fact", [FACT], user=intruder))

    assert_refused(replayed, refusal)
    assert twin.message(panel)["components"] == panel["components"]
    assert world.everything() == before  # not linked, not resolved


@pytest.mark.parametrize("kind", INTRUDERS)
async def test_import_preview_refuses_everyone_but_its_owner(world: Guarded, kind: str) -> None:
    twin, owner = world.twin, world.manager
    intruder, refusal = world.intruder(kind)
    before = world.everything()
    preview = await world.run("facts import", owner, {"file": import_file()})
    panel = preview.message
    assert panel is not None and custom_ids(panel) == ["facts:import:confirm", "facts:import:cancel"]

    for button in ("facts:import:confirm", "facts:import:cancel"):
        replayed = await world.answer(await twin.click_button(panel, button, user=intruder))
        assert_refused(replayed, refusal)
    assert twin.message(panel)["components"] == panel["components"]
    assert world.everything() == before

    # The owner's panel still works.
    await world.answer(await twin.click_button(panel, "facts:import:cancel", user=owner))
    assert twin.message(panel)["content"] == "Import cancelled: nothing was changed."
    assert world.everything() == before


@pytest.mark.parametrize("kind", INTRUDERS)
async def test_edit_form_and_its_retry_refuse_everyone_but_their_owner(world: Guarded, kind: str) -> None:
    twin, owner = world.twin, world.moderator
    intruder, refusal = world.intruder(kind)
    fact_id = "trump-jr-tweet"
    before = world.everything()
    opening = await twin.invoke_slash(
        "facts edit", user=owner, channel=world.desk, options={"fact_id": fact_id}, integration_override=True
    )
    modal = (await world.answer(opening)).modal
    assert modal is not None
    typed = modal_values(modal)

    # Someone else submits the owner's open form (its custom_id replayed).
    hijacked = await world.answer(
        await twin.submit_modal(opening, {**typed, "facts:form:statement_en": "Hijacked."}, user=intruder)
    )
    assert_refused(hijacked, refusal)
    assert world.everything() == before

    # The owner's invalid submit gets a retry button; nobody else may press it or submit its form.
    invalid = await world.answer(await twin.submit_modal(opening, {**typed, "facts:form:date": "yesterday"}))
    assert invalid.content.startswith("Nothing was saved:") and custom_ids(invalid.message) == [
        "facts:form:retry"
    ]
    pressed = await world.answer(
        await twin.click_button(invalid.message or {}, "facts:form:retry", user=intruder)
    )
    assert_refused(pressed, refusal)
    reopened = await twin.click_button(invalid.message or {}, "facts:form:retry", user=owner)
    retry_modal = (await world.answer(reopened)).modal
    assert retry_modal is not None and modal_values(retry_modal)["facts:form:date"] == "yesterday"
    fixed = {
        **modal_values(retry_modal),
        "facts:form:date": "2017-11-14",
        "facts:form:statement_en": f"{typed['facts:form:statement_en']} (checked by {owner.username})",
    }
    hijacked = await world.answer(await twin.submit_modal(reopened, fixed, user=intruder))
    assert_refused(hijacked, refusal)
    assert world.everything() == before

    # The owner's form still works, and the change is theirs.
    saved = await world.answer(await twin.submit_modal(reopened, fixed))
    assert saved.content.startswith("Saved as revision ")
    [last] = world.bot.query(
        "SELECT actor_id FROM fact_revisions WHERE fact_id = ? ORDER BY revision DESC LIMIT 1", (fact_id,)
    )
    assert last["actor_id"] == str(owner.id)


# ------------------------------------------------------------------------------------- DMs
@pytest.mark.parametrize("command", list(FACTS_COMMANDS))
async def test_facts_in_a_direct_message_are_refused(world: Guarded, command: str) -> None:
    twin, user = world.twin, world.manager  # a moderator in the server, but a DM is no server
    with pytest.raises(InvocationError, match="has not registered /facts for this channel"):
        await twin.invoke_slash(command, user=user, channel=None, options=options_for(command))
    before = world.everything()

    response = await world.answer(await forge_slash(twin, command, user=user, options=options_for(command)))

    assert_refused(response, NOT_IN_GUILD)
    assert world.everything() == before


# --------------------------------------------------------------------------- (runs last)
async def test_refusals_are_logged_and_nothing_went_wrong(world: Guarded) -> None:
    output = world.bot.all_output()
    assert f"Refused /facts to user {world.member.id}" in output
    assert f"Refused curation component GapsView to user {world.other_moderator.id}" in output
    assert f"Refused curation modal submit to user {world.member.id}" in output
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if " ERROR " in line or " CRITICAL " in line] == []
    assert world.bot.process.running
