"""End to end: moderators curating the fact base of the REAL bot with /facts, through the twin.

One twin and one ``python bot.py run`` process serve the whole module. Moderators are a
member with the configured moderator role (the guild exposes /facts to that role, hence
``integration_override``) and a member with Manage Server; questions are asked by fresh
regular members. Every check of "nothing changed" compares rows of the bot's SQLite file,
opened read-only, before and after. Tests that change a fact use a fact no other test uses.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from knowledge.schema import parse_fact_base
from tests.e2e.bot_fixtures import (
    FACT_BASE_TABLES,
    RealBot,
    attachment_bytes,
    close_twin,
    custom_ids,
    db_snapshot,
    embeds_of,
    footer_fact_ids,
    message_text,
    modal_inputs,
    modal_values,
    open_twin,
    plain,
)
from tests.e2e.twin import (
    AttachmentSpec,
    Channel,
    Guild,
    InteractionResponse,
    Role,
    Twin,
    TwinInteraction,
    User,
)
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

EN, FR = "facts:form:statement_en", "facts:form:statement_fr"
ATTRIBUTION, DATE, TAGS_SOURCES = "facts:form:attribution", "facts:form:date", "facts:form:tags_sources"
FORM_IDS = {EN, FR, ATTRIBUTION, DATE, TAGS_SOURCES}
RETRY = "facts:form:retry"
ATLANTIC = "the-atlantic-2017-11-13"


@dataclass
class Curators:
    twin: Twin
    bot: RealBot
    guild: Guild
    desk: Channel  # where the moderators work
    general: Channel  # where members ask
    mod_role: Role  # listed in MODERATOR_ROLE_IDS
    managers: Role  # has Manage Server
    moderator: User  # has the moderator role only
    manager: User  # has Manage Server only
    _count: list[int] = field(default_factory=lambda: [0])

    def member(self, name: str, *, roles: tuple[Role, ...] = ()) -> User:
        self._count[0] += 1
        user = self.twin.create_user(f"{name}-{self._count[0]}")
        self.twin.add_member(self.guild, user, roles=roles)
        return user

    async def invoke(
        self, command: str, user: User, options: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> TwinInteraction:
        """``/command`` in the moderators' channel. A moderator by role has no Manage Server, so
        the guild must have exposed /facts to them (integration settings): ``integration_override``."""
        channel = kwargs.pop("channel", self.desk)
        exposed = not self.twin.permissions_of(user, channel) & MANAGE_GUILD
        return await self.twin.invoke_slash(
            command, user=user, channel=channel, options=options, integration_override=exposed, **kwargs
        )

    async def run(
        self, command: str, user: User, options: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> InteractionResponse:
        return await self.twin.interaction_response(
            await self.invoke(command, user, options, **kwargs), timeout=15
        )

    async def open_form(self, command: str, user: User, options: Mapping[str, Any]) -> TwinInteraction:
        """Run /facts add or /facts edit; the interaction the bot answered with the fact modal."""
        interaction = await self.invoke(command, user, options)
        response = await self.twin.interaction_response(interaction, timeout=15)
        assert response.callback_type == 9 and response.modal, response.texts()
        return interaction

    async def submit(
        self, source: TwinInteraction, fields: Mapping[str, str], user: User | None = None
    ) -> InteractionResponse:
        submitted = await self.twin.submit_modal(source, fields, user=user)
        return await self.twin.interaction_response(submitted, timeout=15)

    async def click(self, message: Mapping[str, Any], custom_id: str, user: User) -> InteractionResponse:
        clicked = await self.twin.click_button(message, custom_id, user=user)
        return await self.twin.interaction_response(clicked, timeout=15)

    async def choose(
        self, message: Mapping[str, Any], custom_id: str, value: str, user: User
    ) -> InteractionResponse:
        chosen = await self.twin.select(message, custom_id, [value], user=user)
        return await self.twin.interaction_response(chosen, timeout=15)

    async def ask(self, question: str, user: User | None = None) -> dict[str, Any]:
        """A fresh regular member asks with /ask; the bot's public answer."""
        interaction = await self.twin.invoke_slash(
            "ask", user=user or self.member("reader"), channel=self.general, options={"question": question}
        )
        response = await self.twin.interaction_response(interaction, timeout=15)
        assert not response.ephemeral, response.content
        return visible(response)

    def logged(self, question: str) -> tuple[int, str | None]:
        """(answered, fact_id) of the last time ``question`` was asked, from the question log."""
        [row] = self.bot.query(
            "SELECT answered, fact_id FROM questions_asked WHERE text = ? ORDER BY id DESC LIMIT 1",
            (question,),
        )
        return row["answered"], row["fact_id"]

    def fact_base(self) -> dict[str, list[tuple[Any, ...]]]:
        return db_snapshot(self.bot, FACT_BASE_TABLES)

    def revisions(self, fact_id: str) -> list[Any]:
        return self.bot.query(
            "SELECT revision, kind, actor_id, actor_name, reason, snapshot FROM fact_revisions "
            "WHERE fact_id = ? ORDER BY revision",
            (fact_id,),
        )

    def statement_en(self, fact_id: str) -> str:
        [row] = self.bot.query("SELECT statement_en FROM facts WHERE id = ?", (fact_id,))
        return row["statement_en"]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Curators]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Curation Guild")
        desk = twin.create_text_channel(guild, "fact-desk")
        general = twin.create_text_channel(guild, "general")
        mod_role = twin.create_role(guild, "Moderators")
        managers = twin.create_role(guild, "Managers", permissions=MANAGE_GUILD)
        moderator, manager = twin.create_user("mod-maude"), twin.create_user("manager-max")
        twin.add_member(guild, moderator, roles=[mod_role])
        twin.add_member(guild, manager, roles=[managers])
        bot = RealBot(
            twin, Path(tmp_path_factory.mktemp("curation")), {"MODERATOR_ROLE_IDS": str(mod_role.id)}
        )
        try:
            await bot.start_ready()
            yield Curators(twin, bot, guild, desk, general, mod_role, managers, moderator, manager)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


# ----------------------------------------------------------------------------- helpers
def visible(response: InteractionResponse) -> dict[str, Any]:
    """The message of an answer that has text (the @original, or else a follow-up)."""
    for msg in [response.message, *response.followups]:
        if msg and (msg.get("embeds") or msg.get("content")):
            return msg
    raise AssertionError(f"no visible message in {response}")


def text_of(response: InteractionResponse) -> str:
    return plain("\n".join(response.texts()))


def fields_of(message: Mapping[str, Any]) -> dict[str, str]:
    [embed] = embeds_of(message)
    return {f["name"]: plain(f["value"]) for f in embed.get("fields") or []}


def form(
    en: str,
    fr: str,
    *,
    attribution: str = "according to The Atlantic | selon The Atlantic",
    date: str = "2017-11-13",
    tags_sources: str = f"tags: wikileaks\nsources: {ATLANTIC}",
) -> dict[str, str]:
    return {EN: en, FR: fr, ATTRIBUTION: attribution, DATE: date, TAGS_SOURCES: tags_sources}


def answered_with(world: Curators, message: Mapping[str, Any], question: str, fact_id: str) -> bool:
    """Did the bot answer ``question`` with ``fact_id`` (its public footer and its question log agree)?"""
    answered, top = world.logged(question)
    in_footer = fact_id in footer_fact_ids(message)
    assert in_footer == (bool(answered) and top == fact_id), (message_text(message), answered, top)
    return in_footer


def ephemeral_text(response: InteractionResponse) -> str:
    assert response.ephemeral, response.texts()
    return text_of(response)


# ------------------------------------------------------------------ adding a fact
NEW_FACTS = {
    "moderator-role": (
        "pigeon-courier",
        "A carrier pigeon named Gustave flew the first printed copy to the newsroom.",
        "Un pigeon voyageur nommé Gustave a apporté le premier exemplaire imprimé à la rédaction.",
        "Which pigeon carried the first printed copy?",
    ),
    "manage-server": (
        "lighthouse-proofreading",
        "The night editor proofread the story inside a lighthouse.",
        "Le secrétaire de rédaction de nuit a relu l'article dans un phare.",
        "Where did the night editor proofread the story?",
    ),
}


@pytest.mark.parametrize("who", list(NEW_FACTS))
async def test_moderator_adds_a_fact_and_the_next_ask_gets_it(world: Curators, who: str) -> None:
    fact_id, en, fr, question = NEW_FACTS[who]
    curator = world.moderator if who == "moderator-role" else world.manager
    before_answer = await world.ask(question)
    assert not answered_with(world, before_answer, question, fact_id)

    opening = await world.open_form(
        "facts add", curator, {"fact_id": fact_id, "reason": "seen in the archive"}
    )
    modal = opening.modal
    assert modal is not None
    assert modal["custom_id"] == f"facts:add:{opening.id}"
    assert modal["title"] == f"New fact: {fact_id}"
    inputs = modal_inputs(modal)
    assert set(inputs) == FORM_IDS
    assert inputs[EN].get("required", True) and inputs[FR].get("required", True)
    assert inputs[DATE]["required"] is False
    saved = await world.submit(opening, form(en, fr))

    assert saved.ephemeral
    assert saved.content == "Saved as revision 1."
    shown = fields_of(visible(saved))
    assert shown["Statement (English)"] == en and shown["Statement (French)"] == fr
    assert ATLANTIC in shown["Sources"] and shown["Revision"] == "1"

    variant = await world.run(
        "facts variant", curator, {"fact_id": fact_id, "action": "add", "language": "en", "text": question}
    )
    assert ephemeral_text(variant) == f"Added the English wording “{question}” to `{fact_id}` (revision 2)."

    after_answer = await world.ask(question)
    assert answered_with(world, after_answer, question, fact_id)
    assert en.rstrip(".") in message_text(after_answer)

    revisions = world.revisions(fact_id)
    assert [(r["revision"], r["kind"], r["actor_id"], r["actor_name"]) for r in revisions] == [
        (1, "added", str(curator.id), curator.username),
        (2, "variant", str(curator.id), curator.username),
    ]
    assert revisions[0]["reason"] == "seen in the archive"
    assert json.loads(revisions[1]["snapshot"])["questions"]["en"] == [question]
    audit = world.bot.query(
        "SELECT actor_id, actor_name, action FROM audit_log WHERE target = ? ORDER BY id", (fact_id,)
    )
    assert [tuple(r) for r in audit] == [
        (str(curator.id), curator.username, "fact.add"),
        (str(curator.id), curator.username, "fact.variant.add"),
    ]


async def test_one_attribution_is_enough_for_both_languages(world: Curators) -> None:
    fact_id = "typewriter-ribbon"
    opening = await world.open_form("facts add", world.manager, {"fact_id": fact_id})
    en = "The newsroom changed its typewriter ribbon that night."
    fr = "La rédaction a changé le ruban de sa machine à écrire cette nuit-là."
    saved = await world.submit(opening, form(en, fr, attribution="The Atlantic"))
    assert saved.content == "Saved as revision 1.", saved.texts()
    [row] = world.bot.query("SELECT attribution_en, attribution_fr FROM facts WHERE id = ?", (fact_id,))
    assert (row["attribution_en"], row["attribution_fr"]) == ("The Atlantic", "The Atlantic")


async def test_a_moderator_detaches_a_source_from_a_fact(world: Curators) -> None:
    fact_id = "impartiality-argument"
    [before] = world.bot.query("SELECT revision FROM facts WHERE id = ?", (fact_id,))
    added = await world.run(
        "facts source",
        world.manager,
        {
            "source_id": "wrong-clipping",
            "title": "A clipping filed under the wrong fact",
            "publisher": "The Archive",
            "language": "en",
            "fact_id": fact_id,
        },
    )
    assert "now cites it" in ephemeral_text(added)
    detached = await world.run(
        "facts detach",
        world.manager,
        {"fact_id": fact_id, "source_id": "wrong-clipping", "reason": "misfiled"},
    )
    assert ephemeral_text(detached).startswith(f"`{fact_id}` no longer cites `wrong-clipping`")
    cited = world.bot.query("SELECT source_id FROM fact_sources WHERE fact_id = ?", (fact_id,))
    assert "wrong-clipping" not in [row["source_id"] for row in cited]
    [last] = world.bot.query(
        "SELECT kind, reason FROM fact_revisions WHERE fact_id = ? ORDER BY revision DESC LIMIT 1", (fact_id,)
    )
    assert (last["kind"], last["reason"]) == ("source", "misfiled")
    assert world.bot.query("SELECT 1 FROM sources WHERE id = 'wrong-clipping'")  # the source itself is kept
    again = await world.run(
        "facts detach", world.manager, {"fact_id": fact_id, "source_id": "wrong-clipping"}
    )
    assert "does not cite the source" in ephemeral_text(again)
    [after] = world.bot.query("SELECT revision FROM facts WHERE id = ?", (fact_id,))
    assert after["revision"] == before["revision"] + 2


async def test_two_moderators_add_the_same_id_and_the_second_keeps_their_text(world: Curators) -> None:
    fact_id = "rival-headline"
    first, second = world.manager, world.member("second-manager", roles=(world.managers,))
    first_form = await world.open_form("facts add", first, {"fact_id": fact_id})
    second_form = await world.open_form("facts add", second, {"fact_id": fact_id})
    saved = await world.submit(first_form, form("The first headline.", "Le premier titre."))
    assert saved.content == "Saved as revision 1."

    second_text = form("The second, better headline.", "Le second titre, meilleur.")
    refused = await world.submit(second_form, second_text, user=second)
    assert "someone added" in ephemeral_text(refused)
    assert world.statement_en(fact_id) == "The first headline."
    assert custom_ids(refused.message) == [RETRY]
    reopened = await world.twin.click_button(refused.message, RETRY, user=second)
    again = await world.twin.interaction_response(reopened, timeout=15)
    assert again.modal is not None and again.modal["title"] == f"Edit {fact_id} (r1)"
    assert modal_values(again.modal)[EN] == "The second, better headline."
    merged = await world.submit(reopened, modal_values(again.modal), user=second)
    assert merged.content == "Saved as revision 2."
    assert world.statement_en(fact_id) == "The second, better headline."


async def test_the_fact_form_speaks_the_moderators_language(world: Curators) -> None:
    interaction = await world.invoke("facts add", world.manager, {"fact_id": "salle-de-presse"}, locale="fr")
    response = await world.twin.interaction_response(interaction, timeout=15)
    assert response.callback_type == 9 and response.modal is not None
    modal = response.modal
    assert modal["title"] == "Nouveau fait : salle-de-presse"
    labels = [c.get("label") for c in modal.get("components") or [] if c.get("type") == 18]
    assert labels[:2] == ["Énoncé (anglais)", "Énoncé (français)"]
    descriptions = " ".join(str(c.get("description")) for c in modal.get("components") or [])
    assert "Obligatoire" in descriptions and "Required" not in descriptions
    assert set(modal_inputs(modal)) == FORM_IDS  # the custom ids, a contract, do not change


async def test_a_moderator_edits_and_removes_a_quote(world: Curators) -> None:
    fact_id = "tax-returns-leak-offer"
    ids = {
        name: f"facts:quote:{name}" for name in ("speaker", "original", "original_language", "translation")
    }

    async def open_quote() -> tuple[TwinInteraction, dict[str, Any]]:
        interaction = await world.invoke(
            "facts quote", world.manager, {"fact_id": fact_id, "reason": "quote"}
        )
        response = await world.twin.interaction_response(interaction, timeout=15)
        assert response.callback_type == 9 and response.modal is not None, response.texts()
        assert set(modal_inputs(response.modal)) == set(ids.values())
        return interaction, response.modal

    def stored_quote() -> Any:
        [row] = world.bot.query("SELECT quote FROM facts WHERE id = ?", (fact_id,))
        return json.loads(row["quote"]) if row["quote"] else None

    opening, _modal = await open_quote()
    typed = {
        ids["speaker"]: "WikiLeaks",
        ids["original"]: "Ce serait formidable",
        ids["original_language"]: "fr",
        ids["translation"]: "That would be great",
    }
    saved = await world.submit(opening, typed)
    assert "saved as revision" in ephemeral_text(saved)
    assert stored_quote() == {
        "speaker": "WikiLeaks",
        "original": "Ce serait formidable",
        "original_language": "fr",
        "translation": "That would be great",
    }

    opening, modal = await open_quote()
    assert modal_values(modal) == typed  # pre-filled with the saved quote
    bad = await world.submit(opening, {**typed, ids["original_language"]: "de"})
    assert "**quote (existing)** — the original language must be en or fr" in bad.content
    opening, _modal = await open_quote()
    removed = await world.submit(opening, dict.fromkeys(ids.values(), ""))
    assert "removed as revision" in ephemeral_text(removed)
    assert stored_quote() is None


async def test_adding_an_existing_id_is_refused_without_a_form(world: Curators) -> None:
    before = world.fact_base()
    response = await world.run("facts add", world.manager, {"fact_id": "atlantic-revelation"})

    assert response.callback_type == 4 and response.modal is None
    assert (
        ephemeral_text(response)
        == "A fact with the id `atlantic-revelation` already exists. Use /facts edit."
    )
    bad_id = await world.run("facts add", world.manager, {"fact_id": "Not A Slug!"})
    assert "**fact_id** — must be a lowercase slug" in bad_id.content
    assert world.fact_base() == before


# ------------------------------------------------------------------ invalid input
INVALID_FORMS = {
    "empty French statement": (
        {FR: "   "},
        "Statement (French)",
        "must not be empty",
    ),
    "unknown source id": (
        {TAGS_SOURCES: "tags: wikileaks\nsources: no-such-source"},
        "Tags and sources",
        "sources: 'no-such-source' is not a known source id (add it first with /facts source)",
    ),
    "bad date": (
        {DATE: "13/11/2017"},
        "Date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "must be YYYY, YYYY-MM or YYYY-MM-DD (like 2017-11-13), or empty",
    ),
    "attribution with two bars": (
        {ATTRIBUTION: "according to | The Atlantic | selon"},
        "Attribution: English | French, or one",
        "must be the English and the French attribution separated by one '|'",
    ),
    "impossible calendar date": (
        {DATE: "2017-02-30"},
        "Date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "must be",
    ),
}
INVALID_CASES = list(INVALID_FORMS)


@pytest.mark.parametrize("case", INVALID_CASES)
async def test_invalid_form_names_the_field_and_changes_nothing(world: Curators, case: str) -> None:
    change, label, why = INVALID_FORMS[case]
    fact_id = "invalid-" + case.lower().replace(" ", "-")
    typed = {**form("A statement in English.", "Une déclaration en français."), **change}
    before = world.fact_base()
    opening = await world.open_form("facts add", world.moderator, {"fact_id": fact_id})

    refused = await world.submit(opening, typed)

    assert refused.ephemeral
    assert refused.content.startswith("Nothing was saved:")
    assert f"• **{label}** — " in refused.content
    assert why in plain(refused.content)
    assert custom_ids(refused.message) == [RETRY]
    assert world.fact_base() == before
    # What was typed is not lost: the button reopens the form with it.
    reopened = await world.twin.click_button(refused.message, RETRY, user=world.moderator)
    again = await world.twin.interaction_response(reopened, timeout=15)
    assert again.callback_type == 9 and again.modal is not None
    assert again.modal["custom_id"] == f"facts:add:{reopened.id}"
    assert modal_values(again.modal) == typed
    assert world.fact_base() == before


async def test_source_with_a_non_web_url_is_refused(world: Curators) -> None:
    before = world.fact_base()
    response = await world.run(
        "facts source",
        world.manager,
        {
            "source_id": "ftp-archive",
            "title": "The archive",
            "publisher": "Somebody",
            "language": "en",
            "url": "ftp://example.org/archive",
        },
    )

    text = ephemeral_text(response)
    assert text.startswith("Nothing was saved:")
    assert "• **url** — must be a web address starting with http:// or https://" in plain(response.content)
    assert world.fact_base() == before
    assert world.bot.query("SELECT id FROM sources WHERE id = 'ftp-archive'") == []


async def test_source_is_added_and_cited(world: Curators) -> None:
    fact_id = "campaign-denied-contact"
    response = await world.run(
        "facts source",
        world.moderator,
        {
            "source_id": "washington-post-2017-11-14",
            "title": "Trump Jr. and WikiLeaks",
            "publisher": "The Washington Post",
            "language": "en",
            "date": "2017-11-14",
            "url": "https://example.org/wapo",
            "fact_id": fact_id,
        },
    )

    text = ephemeral_text(response)
    assert text.startswith("Source was added: `washington-post-2017-11-14` Trump Jr. and WikiLeaks")
    assert f"`{fact_id}` now cites it (revision 2)." in text
    [row] = world.bot.query("SELECT url, updated_by_id FROM sources WHERE id = 'washington-post-2017-11-14'")
    assert (row["url"], row["updated_by_id"]) == ("https://example.org/wapo", str(world.moderator.id))
    assert [r["kind"] for r in world.revisions(fact_id)] == ["added", "source"]


# ------------------------------------------------------------------ concurrent edits
async def test_a_french_moderator_is_answered_in_french(world: Curators) -> None:
    """Confirmations and refusals follow the moderator's Discord language, like the community side."""
    fact_id = "impartiality-argument"
    [start] = world.bot.query("SELECT revision FROM facts WHERE id = ?", (fact_id,))
    base = start["revision"]

    async def run_fr(command: str, options: Mapping[str, Any]) -> str:
        return ephemeral_text(await world.run(command, world.manager, options, locale="fr"))

    wording = "c'etait quoi l'argument sur l'impartialite"
    options = {"fact_id": fact_id, "action": "add", "language": "fr", "text": wording}
    added = await run_fr("facts variant", options)
    assert added == f"Formulation en français « {wording} » ajoutée à `{fact_id}` (révision {base + 1})."
    assert "déjà" in await run_fr("facts variant", options)
    source = {
        "source_id": "coupure-fr",
        "title": "Une coupure",
        "publisher": "Les Archives",
        "language": "fr",
    }
    cited = await run_fr("facts source", {**source, "fact_id": fact_id})
    assert (
        cited.startswith("Source ajoutée : ")
        and f"`{fact_id}` la cite désormais (révision {base + 2})." in cited
    )
    detached = await run_fr("facts detach", {"fact_id": fact_id, "source_id": "coupure-fr"})
    assert detached == f"`{fact_id}` ne cite plus `coupure-fr` (révision {base + 3})."
    retired = await run_fr("facts retire", {"fact_id": fact_id, "reason": "essai"})
    assert retired.startswith(f"`{fact_id}` est retiré (révision {base + 4}).")
    restored = await run_fr("facts restore", {"fact_id": fact_id})
    assert restored == f"`{fact_id}` est restauré (révision {base + 5}). Il sert de nouveau aux réponses."
    missing = await run_fr("facts show", {"fact_id": "impartiality"})
    assert (
        missing.startswith("Aucun fait n'a l'identifiant `impartiality`.") and "Vouliez-vous dire" in missing
    )
    # The same commands in English say it in English (the catalogue's other half).
    english = await world.run("facts restore", world.manager, {"fact_id": fact_id})
    assert ephemeral_text(english) == f"`{fact_id}` is already active; nothing changed."

    # A form saved, then a stale edit refused, both in French.
    first = await world.invoke("facts edit", world.manager, {"fact_id": fact_id}, locale="fr")
    opened = await world.twin.interaction_response(first, timeout=15)
    second = await world.invoke("facts edit", world.manager, {"fact_id": fact_id}, locale="fr")
    await world.twin.interaction_response(second, timeout=15)
    assert opened.modal is not None
    typed = modal_values(opened.modal)
    saved = await world.twin.submit_modal(first, {**typed, EN: typed[EN] + " (checked)"}, locale="fr")
    assert (await world.twin.interaction_response(saved, timeout=15)).content == (
        f"Enregistré comme révision {base + 6}."
    )
    late = await world.twin.submit_modal(second, {**typed, EN: typed[EN] + " (again)"}, locale="fr")
    stale = await world.twin.interaction_response(late, timeout=15)
    assert stale.content.startswith(f"Non enregistré : quelqu'un a modifié `{fact_id}`")
    assert f"révision {base + 6} ; votre modification partait de la révision {base + 5}" in stale.content


async def test_second_moderator_cannot_overwrite_a_newer_revision(world: Curators) -> None:
    fact_id = "trump-jr-eldest-son"
    first, second = world.moderator, world.manager
    [start] = world.bot.query("SELECT revision FROM facts WHERE id = ?", (fact_id,))
    base = start["revision"]
    first_form = await world.open_form("facts edit", first, {"fact_id": fact_id, "reason": "age at the time"})
    second_form = await world.open_form("facts edit", second, {"fact_id": fact_id})
    for opening in (first_form, second_form):
        assert opening.modal is not None
        assert opening.modal["custom_id"] == f"facts:edit:{opening.id}"
        assert opening.modal["title"] == f"Edit {fact_id} (r{base})"
    original = modal_values(first_form.modal or {})
    assert original[EN] == world.statement_en(fact_id)

    first_en = "Donald Trump Jr. is the eldest son of Donald Trump; he was 39 at the time."
    saved = await world.submit(first_form, {**original, EN: first_en})
    assert saved.content == f"Saved as revision {base + 1}."
    second_en = "Donald Trump Jr., born in 1977, is the eldest son of Donald Trump."
    stale = await world.submit(second_form, {**original, EN: second_en})

    assert stale.ephemeral
    assert stale.content.startswith(f"Not saved: someone changed `{fact_id}` while you were editing.")
    assert f"It is now at revision {base + 1}; your edit was based on revision {base}." in stale.content
    [embed] = embeds_of(stale.message)
    assert embed["title"] == f"Current version of {fact_id}"
    assert fields_of(stale.message)["Statement (English)"] == first_en
    assert fields_of(stale.message)["Revision"] == str(base + 1)
    # Nothing was overwritten: the first moderator's text stands, one new revision only.
    assert world.statement_en(fact_id) == first_en
    revisions = world.revisions(fact_id)
    assert [r["revision"] for r in revisions][-1] == base + 1
    assert revisions[-1]["actor_id"] == str(first.id)

    # The second moderator's text comes back in a form based on the newer revision.
    assert custom_ids(stale.message) == [RETRY]
    reopened = await world.twin.click_button(stale.message, RETRY, user=second)
    again = await world.twin.interaction_response(reopened, timeout=15)
    assert again.modal is not None and again.modal["title"] == f"Edit {fact_id} (r{base + 1})"
    assert modal_values(again.modal)[EN] == second_en
    merged = await world.submit(reopened, {**modal_values(again.modal), EN: second_en})
    assert merged.content == f"Saved as revision {base + 2}."
    assert world.statement_en(fact_id) == second_en
    assert [(r["actor_id"], r["kind"]) for r in world.revisions(fact_id)][-2:] == [
        (str(first.id), "edited"),
        (str(second.id), "edited"),
    ]


async def test_two_moderators_adding_the_same_id_cannot_overwrite_each_other(world: Curators) -> None:
    fact_id = "embassy-cat"
    first = await world.open_form("facts add", world.moderator, {"fact_id": fact_id})
    second = await world.open_form("facts add", world.manager, {"fact_id": fact_id})
    first_en = "The embassy cat was never mentioned in the messages."

    saved = await world.submit(
        first, form(first_en, "Le chat de l'ambassade n'apparaît pas dans les messages.")
    )
    assert saved.content == "Saved as revision 1."
    before = world.fact_base()
    refused = await world.submit(second, form("A different cat statement.", "Une autre déclaration."))

    assert ephemeral_text(refused).startswith(f"Not saved: someone added `{fact_id}` while you were typing.")
    assert custom_ids(refused.message) == [RETRY]  # the typed text is kept (see the test above)
    assert world.fact_base() == before
    assert world.statement_en(fact_id) == first_en
    assert [(r["revision"], r["actor_id"]) for r in world.revisions(fact_id)] == [
        (1, str(world.moderator.id))
    ]


# ---------------------------------------------------- reading, history, revert, retire
async def test_show_search_history_revert_retire_restore(world: Curators) -> None:
    fact_id = "wow-after-victory"
    question = "How did WikiLeaks react to Trump's victory?"
    curator = world.manager
    original_en = world.statement_en(fact_id)

    choices = await world.twin.autocomplete(
        "facts show", user=curator, focused="fact_id", value="wow", channel=world.desk
    )
    assert [c["value"] for c in choices] == [fact_id]
    assert choices[0]["name"].startswith(f"{fact_id} — ") and len(choices[0]["name"]) <= 100

    shown = await world.run("facts show", curator, {"fact_id": fact_id})
    assert shown.ephemeral
    assert embeds_of(shown.message)[0]["title"] == f"Fact {fact_id}"
    details = fields_of(shown.message)
    assert details["Statement (English)"] == original_en
    assert (details["Status"], details["Revision"]) == ("active", "1")

    found = await world.run("facts search", curator, {"query": question})
    assert found.ephemeral
    [embed] = embeds_of(found.message)
    assert embed["title"] == f"Search: {question}"
    first_line = plain(embed["description"]).splitlines()[0]
    assert first_line.startswith(f"`{fact_id}` · score ") and first_line.endswith("· matcher")

    # An edit, then the history shows who changed what.
    opening = await world.open_form("facts edit", curator, {"fact_id": fact_id, "reason": "shorter"})
    edited_en = "WikiLeaks wrote “Wow” to Donald Trump Jr. on the night of the election."
    saved = await world.submit(opening, {**modal_values(opening.modal or {}), EN: edited_en})
    assert saved.content == "Saved as revision 2."
    history = await world.run("facts history", curator, {"fact_id": fact_id})
    lines = plain(embeds_of(history.message)[0]["description"]).splitlines()
    assert lines[0].startswith(f"r2 · edited · {curator.username} ({curator.id}) · ")
    assert lines[0].endswith("· changed: statement.en · “shorter”")
    assert lines[1].startswith("r1 · added · ")

    # Revert to revision 1: a new revision, the history kept.
    revisions = await world.twin.autocomplete(
        "facts revert",
        user=curator,
        focused="revision",
        value="",
        options={"fact_id": fact_id},
        channel=world.desk,
    )
    assert [c["value"] for c in revisions] == [2, 1]
    reverted = await world.run(
        "facts revert", curator, {"fact_id": fact_id, "revision": 1, "reason": "too short"}
    )
    assert ephemeral_text(reverted).startswith(f"`{fact_id}` is back to revision 1, saved as revision 3.")
    assert world.statement_en(fact_id) == original_en
    kept = world.revisions(fact_id)
    assert [(r["revision"], r["kind"]) for r in kept] == [(1, "added"), (2, "edited"), (3, "reverted")]
    assert json.loads(kept[2]["snapshot"]) == json.loads(kept[0]["snapshot"])
    assert json.loads(kept[1]["snapshot"])["statement"]["en"] == edited_en
    assert answered_with(world, await world.ask(question), question, fact_id)

    # Retired, it no longer answers; restored, it answers again.
    retired = await world.run("facts retire", curator, {"fact_id": fact_id, "reason": "disputed"})
    assert ephemeral_text(retired).startswith(
        f"Retired `{fact_id}` (revision 4). It no longer answers questions"
    )
    assert not answered_with(world, await world.ask(question), question, fact_id)
    labels = await world.twin.autocomplete(
        "facts restore", user=curator, focused="fact_id", value="wow", channel=world.desk
    )
    assert [c["name"] for c in labels] == [f"{fact_id} (retired)"]
    again = await world.run("facts retire", curator, {"fact_id": fact_id, "reason": "twice"})
    assert ephemeral_text(again) == f"`{fact_id}` is already retired; nothing changed."

    restored = await world.run("facts restore", curator, {"fact_id": fact_id})
    assert ephemeral_text(restored) == f"Restored `{fact_id}` (revision 5). It answers questions again."
    assert answered_with(world, await world.ask(question), question, fact_id)
    assert [r["kind"] for r in world.revisions(fact_id)][-2:] == ["retired", "restored"]
    audit = world.bot.query("SELECT action FROM audit_log WHERE target = ? ORDER BY id", (fact_id,))
    assert [r["action"] for r in audit] == ["fact.edit", "fact.revert", "fact.retire", "fact.restore"]


async def test_unknown_fact_id_gets_close_ids(world: Curators) -> None:
    response = await world.run("facts show", world.moderator, {"fact_id": "trump-jr"})

    text = ephemeral_text(response)
    assert text.startswith("There is no fact with the id `trump-jr`. Did you mean ")
    assert "`trump-jr-tweet`" in text and "`trump-jr-eldest-son`" in text


# ------------------------------------------------------------------------------ gaps
async def test_gaps_link_an_unanswered_question_to_a_fact(world: Curators) -> None:
    question = "Did Assange's cat read the direct messages?"
    fact_id = "image-damage-wikileaks-assange"
    for _ in range(2):
        unanswered = await world.ask(question)
        assert not answered_with(world, unanswered, question, fact_id)
        assert world.logged(question)[0] == 0

    gaps = await world.run("facts gaps", world.moderator)

    assert gaps.ephemeral
    panel = visible(gaps)
    [embed] = embeds_of(panel)
    assert embed["title"] == "Unanswered questions"
    listed = [line for line in plain(embed["description"]).splitlines() if question in line]
    assert len(listed) == 1 and " ×2 · en · " in listed[0]
    assert custom_ids(panel) == ["facts:gaps:question"]
    [latest] = world.bot.query("SELECT MAX(id) FROM questions_asked WHERE text = ?", (question,))

    picked = await world.choose(panel, "facts:gaps:question", str(latest[0]), world.moderator)
    assert picked.callback_type == 7  # the panel itself is updated
    panel = world.twin.message(panel)
    assert custom_ids(panel) == ["facts:gaps:question", "facts:gaps:fact"]
    assert question in fields_of(panel)["Answering"]
    before_link = world.revisions(fact_id)[-1]["revision"]

    linked = await world.choose(panel, "facts:gaps:fact", fact_id, world.moderator)
    followup = await world.twin.interaction_response(
        linked.interaction, until=lambda r: bool(r.followups), timeout=15
    )
    note = plain("\n".join(m.get("content") or "" for m in followup.followups))
    assert f"Linked “{question}” to `{fact_id}` (revision {before_link + 1})." in note
    assert "The bot now answers this question with that fact." in note
    [embed] = embeds_of(world.twin.message(panel))
    assert question not in plain(embed["description"])
    assert "Linked" in fields_of(world.twin.message(panel))["Done"]

    assert answered_with(world, await world.ask(question), question, fact_id)
    rows = world.bot.query(
        "SELECT resolved_fact_id FROM questions_asked WHERE text = ? AND answered = 0", (question,)
    )
    assert [r["resolved_fact_id"] for r in rows] == [fact_id, fact_id]
    [audit] = world.bot.query(
        "SELECT actor_id, details FROM audit_log WHERE action = 'question.link' AND target = ?", (fact_id,)
    )
    assert audit["actor_id"] == str(world.moderator.id)
    assert json.loads(audit["details"])["questions_resolved"] == 2
    again = await world.run("facts gaps", world.moderator)
    assert question not in text_of(again)


# -------------------------------------------------------------------------- feedback
async def test_downvote_shows_up_in_feedback_with_the_question(world: Curators) -> None:
    question = "What did WikiLeaks warn about the Obama administration?"
    voter = world.member("critic")
    answer = await world.ask(question, voter)
    [qid] = {cid.rsplit(":", 1)[1] for cid in custom_ids(answer) if cid.startswith("ask:vote:")}

    voted = await world.click(answer, f"ask:vote:down:{qid}", voter)
    assert voted.ephemeral

    report = await world.run("facts feedback", world.moderator)
    assert report.ephemeral
    [embed] = embeds_of(visible(report))
    assert embed["title"] == "Answers voted 👎"
    [line] = [line for line in plain(embed["description"]).splitlines() if question in line]
    assert line == f"👎 1 · 👍 0 · en · “{question}” → `obama-documents-warning`"


# ---------------------------------------------------------------------- export/import
async def export(world: Curators, user: User) -> tuple[InteractionResponse, bytes]:
    response = await world.run("facts export", user)
    assert response.ephemeral
    [(filename, data)] = attachment_bytes(world.twin, visible(response))
    assert filename.startswith("fact-base-") and filename.endswith(".json")
    return response, data


async def test_export_is_a_valid_fact_base_file(world: Curators) -> None:
    response, data = await export(world, world.moderator)

    uploads = [f for r in response.requests for f in r.files]
    assert [f.filename for f in uploads] == [visible(response)["attachments"][0]["filename"]]
    fact_base = parse_fact_base(json.loads(data.decode("utf-8")), "export")
    rows = world.bot.query("SELECT id, status FROM facts ORDER BY position")
    assert [(f.id, f.status) for f in fact_base.facts] == [(r["id"], r["status"]) for r in rows]
    retired = sum(1 for f in fact_base.facts if not f.active)
    assert response.content == (
        f"The fact base: {len(fact_base.facts)} facts ({retired} retired), {len(fact_base.sources)} sources. "
        "Edit it and bring it back with /facts import."
    )


async def upload(
    world: Curators, user: User, data: bytes, filename: str = "facts.json"
) -> InteractionResponse:
    return await world.run("facts import", user, {"file": AttachmentSpec(filename, data, "application/json")})


async def test_import_previews_then_cancel_or_confirm(world: Curators) -> None:
    curator = world.manager
    _, data = await export(world, curator)
    document = json.loads(data)
    added = {
        "id": "imported-fact",
        "status": "active",
        "date": "2017-11-15",
        "attribution": {"en": "according to the import", "fr": "selon l'import"},
        "statement": {"en": "A fact that arrived by import.", "fr": "Un fait arrivé par import."},
        "quote": None,
        "tags": ["import"],
        "source_ids": [ATLANTIC],
        "questions": {"en": ["Which fact arrived by import?"], "fr": []},
    }
    document["facts"].append(added)
    [changed] = [f for f in document["facts"] if f["id"] == "one-sided-conversation"]
    changed["statement"]["en"] = "The conversation was mostly one-sided: WikiLeaks wrote far more often."
    document["facts"] = [f for f in document["facts"] if f["id"] != "three-responses-downplay"]
    modified = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    before = world.fact_base()

    preview = await upload(world, curator, modified)

    assert preview.ephemeral
    panel = visible(preview)
    assert panel["content"].startswith("Nothing has changed yet. Confirm to apply this import")
    [embed] = embeds_of(panel)
    assert embed["title"] == "Import preview: facts.json"
    sections = fields_of(panel)
    assert sections["Facts added (1)"] == "imported-fact"
    assert sections["Facts changed (1)"] == "one-sided-conversation"
    assert sections["Facts retired (1)"] == "three-responses-downplay"
    assert custom_ids(panel) == ["facts:import:confirm", "facts:import:cancel"]
    assert world.fact_base() == before

    cancelled = await world.click(panel, "facts:import:cancel", curator)
    assert cancelled.callback_type == 7
    shown = world.twin.message(panel)
    assert shown["content"] == "Import cancelled: nothing was changed."
    assert custom_ids(shown) == [] and embeds_of(shown) == []
    assert world.fact_base() == before

    panel = visible(await upload(world, curator, modified))
    await world.click(panel, "facts:import:confirm", curator)
    done = world.twin.message(panel)
    assert done["content"].startswith("Import applied.")
    assert embeds_of(done)[0]["title"] == "Imported: facts.json"
    assert custom_ids(done) == []
    rows = {r["id"]: r["status"] for r in world.bot.query("SELECT id, status FROM facts")}
    assert rows["imported-fact"] == "active" and rows["three-responses-downplay"] == "retired"
    assert world.statement_en("one-sided-conversation").startswith("The conversation was mostly one-sided")
    for fact_id, kind in (
        ("imported-fact", "added"),
        ("one-sided-conversation", "edited"),
        ("three-responses-downplay", "retired"),
    ):
        last = world.revisions(fact_id)[-1]
        assert (last["kind"], last["actor_id"], last["reason"]) == (
            kind,
            str(curator.id),
            "import of facts.json",
        )
    [audit] = world.bot.query("SELECT actor_id, details FROM audit_log WHERE action = 'import'")
    assert audit["actor_id"] == str(curator.id)
    assert json.loads(audit["details"])["added"] == 1
    question = "Which fact arrived by import?"
    assert answered_with(world, await world.ask(question), question, "imported-fact")


@pytest.mark.parametrize(
    "taught",
    [
        "upcoming-leak-request",  # a fact the file leaves alone: the plan itself changes
        "contest-result-advice",  # the very fact the file changes: same plan, newer content
    ],
)
async def test_import_confirmed_after_someone_curated_shows_the_new_preview(
    world: Curators, taught: str
) -> None:
    curator, other = world.manager, world.moderator
    _, data = await export(world, curator)
    document = json.loads(data)
    [changed] = [f for f in document["facts"] if f["id"] == "contest-result-advice"]
    changed["tags"] = [*changed["tags"], "imported-tag"]
    panel = visible(await upload(world, curator, json.dumps(document).encode("utf-8"), "tags.json"))
    assert fields_of(panel) == {"Facts changed (1)": "contest-result-advice"}

    # Meanwhile another moderator teaches a fact a new wording, which the file does not have.
    wording = f"anything new about {taught}?"
    response = await world.run(
        "facts variant", other, {"fact_id": taught, "action": "add", "language": "en", "text": wording}
    )
    assert response.ephemeral and "Added the English wording" in response.content
    before = world.fact_base()
    await world.click(panel, "facts:import:confirm", curator)

    shown = world.twin.message(panel)
    assert shown["content"].startswith("The fact base changed since this preview."), shown["content"]
    [heading] = [name for name in fields_of(shown) if name.startswith("Facts changed")]
    assert sorted(fields_of(shown)[heading].split(", ")) == sorted({"contest-result-advice", taught})
    assert custom_ids(shown) == ["facts:import:confirm", "facts:import:cancel"]
    assert world.fact_base() == before  # the moderator's wording is not silently undone
    await world.click(shown, "facts:import:cancel", curator)
    assert world.twin.message(panel)["content"] == "Import cancelled: nothing was changed."
    assert world.fact_base() == before


def _seed_like(**changes: Any) -> dict[str, Any]:
    document = json.loads(
        (Path(__file__).resolve().parents[2] / "knowledge" / "data" / "seed.json").read_text()
    )
    document.update(changes)
    return document


def _duplicate_fact() -> bytes:
    document = _seed_like()
    document["facts"].append(dict(document["facts"][0]))
    return json.dumps(document).encode()


def _dangling_source() -> bytes:
    document = _seed_like()
    document["facts"][1] = {**document["facts"][1], "source_ids": ["no-such-source"]}
    return json.dumps(document).encode()


BAD_FILES = {
    "not JSON": (
        b"{ this is not json",
        ["• file: is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 3"],
    ),
    "not UTF-8": (b"\xff\xfe\x00garbage", ["• file: is not UTF-8 text (byte 0)"]),
    "wrong schema": (
        json.dumps(_seed_like(schema_version=99, facts="none")).encode(),
        ["• document, field 'schema_version': must be 1", "• document, field 'facts': must be a list"],
    ),
    "duplicate ids": (
        _duplicate_fact(),
        ["• fact 'atlantic-revelation', field 'id': is used more than once"],
    ),
    "dangling source id": (
        _dangling_source(),
        [
            "• fact 'wikileaks-suspected-of-favouring-trump', field 'source_ids[0]': 'no-such-source' is not a known source id"
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_bad_import_file_is_explained_and_changes_nothing(world: Curators, case: str) -> None:
    data, problems = BAD_FILES[case]
    before = world.fact_base()

    response = await upload(world, world.moderator, data, filename="bad.json")

    assert response.ephemeral
    lines = plain(response.content).splitlines()
    assert (
        lines[0] == f"`bad.json` is not a valid fact base ({len(problems)} problem(s)); nothing was changed:"
    )
    assert lines[1:] == problems
    assert custom_ids(visible(response)) == []
    assert world.fact_base() == before


# --------------------------------------------------------------------------- (runs last)
async def test_nothing_went_wrong_on_the_bot_side(world: Curators) -> None:
    output = world.bot.all_output()
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if " ERROR " in line or " CRITICAL " in line] == []
    assert world.bot.process.running
