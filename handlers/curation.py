"""/facts: moderators curate the fact base from Discord.

Each handler is thin: check who is asking, call the knowledge service, render the result.
Nothing a moderator does is lost (the store keeps every revision with who, when and why;
facts are retired, never deleted), so every change passes the moderator as the Actor.

Who may curate is checked on the server for every command (`interaction_check` below) and
every component (see curation_views), because `default_permissions` only hides commands
and a guild's integration settings can expose them to anyone. All replies are ephemeral,
never ping, escape the user text they repeat and fit Discord's limits.

Subcommands and options (names are the keys handlers/translator.py localises):
  add      fact_id [reason]                        → the fact modal
  edit     fact_id [reason]                        → the fact modal, pre-filled, stale-edit safe
  show     fact_id
  search   query
  history  fact_id
  revert   fact_id revision [reason]
  retire   fact_id reason
  restore  fact_id [reason]
  variant  fact_id action(add|remove) language(en|fr) text
  source   source_id title publisher language [date] [url] [fact_id]
  detach   fact_id source_id [reason]
  quote    fact_id [reason]                        → the quote modal, pre-filled, stale-edit safe
  gaps     [since YYYY-MM-DD, default 30 days ago]
  feedback
  export
  import   file
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.curation import (
    CurationInputError,
    FactForm,
    build_source,
    clean_variant,
    describe_problem,
    history_lines,
    parse_since,
    search_facts,
    validate_fact_id,
)
from knowledge.dates import format_day, format_moment
from knowledge.models import Fact, FactBase, Language, as_language
from knowledge.schema import (
    MAX_DOCUMENT_BYTES,
    FactBaseError,
    decode_document,
    dump_fact_base,
    parse_fact_base,
)
from knowledge.store import StoreError

from .curation_views import (
    COLOUR_INFO,
    COLOUR_OK,
    FactFormRequest,
    FactModal,
    GapsView,
    ImportConfirmView,
    QuoteModal,
    actor,
    code,
    fact_embed,
    plan_embed,
    refusal_for,
    revision_card,
    say,
    source_line,
)
from .safety import CONTENT_LIMIT, EMBED_DESCRIPTION_LIMIT, clip, escape, fit_embed, quote_user_text
from .shared import LANGUAGE_CHOICES, finish, language_name, problems_message, reply, user_language

if TYPE_CHECKING:
    from config import Settings
    from knowledge.service import KnowledgeService

    from .runner import StoryBot

log = logging.getLogger(__name__)
T = TypeVar("T")

EXPORT_SIZE_LIMIT = 10 * 1024 * 1024  # Discord's upload limit for bots without boosts
HISTORY_SHOWN = 25
SEARCH_SHOWN = 10
FEEDBACK_SHOWN = 15
GAPS_SHOWN = 25
CHOICE_LIMIT = 100

# An optional "why", kept in the history; one name so the many subcommands that take it read alike.
Reason = app_commands.Range[str, 0, 200] | None

# What each subcommand's options mean (Discord shows it under the option; handlers/translator.py gives the French).
OPTION_HELP: dict[str, dict[str, str]] = {
    "add": {
        "fact_id": "The new fact's id: lowercase letters, digits and hyphens",
        "reason": "Why you add it (kept in the history)",
    },
    "edit": {
        "fact_id": "The fact to edit",
        "reason": "Why you change it (kept in the history)",
    },
    "quote": {
        "fact_id": "The fact whose quote to edit",
        "reason": "Why (kept in the history)",
    },
    "show": {
        "fact_id": "The fact to show",
    },
    "search": {
        "query": "A question as people ask it, part of an id, or words of a statement",
    },
    "history": {
        "fact_id": "The fact whose history to show",
    },
    "revert": {
        "fact_id": "The fact to revert",
        "revision": "The revision number to go back to (see /facts history)",
        "reason": "Why (kept in the history)",
    },
    "retire": {
        "fact_id": "The fact to retire",
        "reason": "Why it is retired (kept in the history)",
    },
    "restore": {
        "fact_id": "The retired fact to restore",
        "reason": "Why (kept in the history)",
    },
    "variant": {
        "fact_id": "The fact",
        "action": "Add or remove the wording",
        "language": "The wording's language",
        "text": "The question as people ask it",
    },
    "source": {
        "source_id": "The source's id: lowercase letters, digits and hyphens",
        "title": "The article's title",
        "publisher": "Who published it",
        "language": "The article's language",
        "date": "Publication date: YYYY, YYYY-MM or YYYY-MM-DD",
        "url": "The article's address (http or https)",
        "fact_id": "A fact that should cite this source",
    },
    "detach": {
        "fact_id": "The fact that cites the source",
        "source_id": "The source to stop citing",
        "reason": "Why (kept in the history)",
    },
    "gaps": {
        "since": "Start date YYYY-MM-DD (default: 30 days ago)",
    },
    "import": {
        "file": "A fact-base JSON file, such as one from /facts export (at most 5 MB)",
    },
}

ACTION_CHOICES = [
    app_commands.Choice(name="add", value="add"),
    app_commands.Choice(name="remove", value="remove"),
]


def _bot_parts(interaction: discord.Interaction) -> tuple[KnowledgeService, Settings]:
    client: Any = interaction.client
    return client.service, client.settings


async def fact_id_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Fact ids (prefix matches first) with a glimpse of the statement. Moderators only:
    autocomplete runs no command checks, so it checks itself."""
    service, settings = _bot_parts(interaction)
    if refusal_for(interaction, settings) is not None:
        return []
    choices = []
    for fact_id in service.fact_ids(current, limit=25):
        fact = service.fact(fact_id)
        label = fact_id if fact is None else f"{fact_id} — {' '.join(fact.statement.en.split())}"
        if fact is not None and not fact.active:
            label = f"{fact_id} (retired)"
        choices.append(app_commands.Choice(name=clip(label, CHOICE_LIMIT), value=fact_id))
    return choices


async def revision_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """The chosen fact's revisions, newest first."""
    service, settings = _bot_parts(interaction)
    fact_id = getattr(interaction.namespace, "fact_id", None)
    if refusal_for(interaction, settings) is not None or not fact_id or service.fact(fact_id) is None:
        return []
    try:
        revisions = await service.history(fact_id)
    except StoreError:
        return []
    choices = []
    for rev in revisions:
        if current and not str(rev.revision).startswith(current.strip()):
            continue
        label = f"r{rev.revision} · {rev.kind} · {rev.actor_name} · {format_moment(rev.created_at, 'en')}"
        choices.append(app_commands.Choice(name=clip(label, CHOICE_LIMIT), value=rev.revision))
    return choices[:25]


async def variant_text_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """When removing, the fact's existing wordings in the chosen language (those that fit a choice)."""
    service, settings = _bot_parts(interaction)
    namespace = interaction.namespace
    fact = service.fact(getattr(namespace, "fact_id", "") or "")
    if (
        refusal_for(interaction, settings) is not None
        or fact is None
        or getattr(namespace, "action", None) != "remove"
    ):
        return []
    language = as_language(getattr(namespace, "language", None))
    needle = current.casefold()
    return [
        app_commands.Choice(name=text, value=text)
        for text in fact.questions.get(language)
        if len(text) <= CHOICE_LIMIT and needle in text.casefold()
    ][:25]


async def cited_source_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The sources the chosen fact cites."""
    service, settings = _bot_parts(interaction)
    fact = service.fact(getattr(interaction.namespace, "fact_id", "") or "")
    if refusal_for(interaction, settings) is not None or fact is None:
        return []
    return [
        app_commands.Choice(name=clip(source_id, CHOICE_LIMIT), value=source_id)
        for source_id in fact.source_ids
        if current.casefold() in source_id
    ][:25]


def about_a_fact(command: str) -> Callable[[T], T]:
    """What every subcommand about one fact has: its options' help and fact-id autocomplete."""
    described = app_commands.describe(**OPTION_HELP[command])
    completed = app_commands.autocomplete(fact_id=fact_id_autocomplete)
    return lambda function: described(completed(function))


class Curation(commands.Cog, name="Curation"):
    """The /facts command group."""

    facts = app_commands.Group(
        name="facts",
        description="Curate the story's fact base (moderators)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @property
    def service(self) -> KnowledgeService:
        return self.bot.service

    @property
    def settings(self) -> Settings:
        return self.bot.settings

    def now(self) -> datetime:
        return self.bot.clock()

    # -- checks and errors -------------------------------------------------------------------

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Runs before every /facts subcommand: moderators in a server only."""
        refusal = refusal_for(interaction, self.settings)
        if refusal is None:
            return True
        log.info("Refused /facts to user %s", interaction.user.id)
        await reply(interaction, refusal)
        return False

    # -- helpers -----------------------------------------------------------------------------

    async def _require_fact(self, interaction: discord.Interaction, fact_id: str) -> Fact | None:
        """The fact, or None after telling the moderator it does not exist (with close ids)."""
        fact = self.service.fact(fact_id.strip())
        if fact is not None:
            return fact
        language = user_language(interaction)
        near = self.service.fact_ids(fact_id.strip()[:20], limit=5)
        hint = say("did_you_mean", language, ids=", ".join(code(i) for i in near)) if near else ""
        await reply(interaction, say("no_fact", language, fact_id=code(fact_id), hint=hint))
        return None

    async def _current(self, interaction: discord.Interaction, fact_id: str) -> tuple[Fact, int] | None:
        """The fact and its revision, read together (for a form that must not overwrite a newer edit)."""
        fact = await self._require_fact(interaction, fact_id)
        return None if fact is None else await self.service.current(fact.id)

    def _facts_count(self, fact_base: FactBase, language: Language) -> str:
        retired = sum(1 for f in fact_base.facts if not f.active)
        return say(
            "counts", language, facts=len(fact_base.facts), retired=retired, sources=len(fact_base.sources)
        )

    # -- add / edit --------------------------------------------------------------------------

    @facts.command(name="add", description="Add a fact (opens a form)")
    @app_commands.describe(**OPTION_HELP["add"])
    async def facts_add(
        self, interaction: discord.Interaction, fact_id: app_commands.Range[str, 1, 64], reason: Reason = None
    ) -> None:
        language = user_language(interaction)
        try:
            fact_id = validate_fact_id(fact_id)
        except CurationInputError as error:
            await reply(interaction, problems_message(error, say("bad_fact_id", language)))
            return
        existing = self.service.fact(fact_id)
        if existing is not None:
            state = say("exists_retired", language) if not existing.active else ""
            await reply(interaction, say("exists", language, fact_id=code(fact_id), state=state))
            return
        request = FactFormRequest(
            "add", fact_id, FactForm(), reason=(reason or "").strip(), language=user_language(interaction)
        )
        await interaction.response.send_modal(
            FactModal(self.service, self.settings, interaction.user.id, request, nonce=interaction.id)
        )

    @facts.command(name="edit", description="Edit a fact (opens a pre-filled form)")
    @about_a_fact("edit")
    async def facts_edit(self, interaction: discord.Interaction, fact_id: str, reason: Reason = None) -> None:
        found = await self._current(interaction, fact_id)
        if found is None:
            return
        current, revision = found
        request = FactFormRequest(
            "edit",
            current.id,
            FactForm.from_fact(current),
            (reason or "").strip(),
            base=current,
            expected_revision=revision,
            language=user_language(interaction),
        )
        await interaction.response.send_modal(
            FactModal(self.service, self.settings, interaction.user.id, request, nonce=interaction.id)
        )

    @facts.command(name="quote", description="Add, edit or remove a fact's quote (opens a form)")
    @about_a_fact("quote")
    async def facts_quote(
        self, interaction: discord.Interaction, fact_id: str, reason: Reason = None
    ) -> None:
        found = await self._current(interaction, fact_id)
        if found is None:
            return
        current, revision = found
        why = (reason or "").strip()
        modal = QuoteModal(
            self.service, self.settings, interaction.user.id, current, revision, why, interaction.id
        )
        await interaction.response.send_modal(modal)

    # -- reading -----------------------------------------------------------------------------

    @facts.command(name="show", description="Show a fact with its sources, status and revision")
    @about_a_fact("show")
    async def facts_show(self, interaction: discord.Interaction, fact_id: str) -> None:
        found = await self._current(interaction, fact_id)
        if found is not None:
            fact, revision = found
            await reply(interaction, embed=fact_embed(fact, self.service.sources(), revision=revision))

    @facts.command(name="search", description="Find facts by question, id or text")
    @app_commands.describe(**OPTION_HELP["search"])
    async def facts_search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        matches = self.service.search(query, limit=SEARCH_SHOWN)
        hits = search_facts(query, self.service.facts(include_retired=True), matches, limit=SEARCH_SHOWN)
        embed = discord.Embed(title=clip(f"Search: {' '.join(query.split())}", 256), colour=COLOUR_INFO)
        if not hits:
            embed.description = (
                "No fact matches. /facts gaps shows what people ask that the bot cannot answer."
            )
        else:
            lines = []
            for hit in hits:
                score = f"{hit.score:.2f}" if hit.score is not None else "—"
                status = " (retired)" if not hit.fact.active else ""
                snippet = quote_user_text(hit.fact.statement.en, 110)
                lines.append(f"{code(hit.fact.id, 64)}{status} · score {score} · {hit.how}\n{snippet}")
            embed.description = "\n".join(lines)
            embed.set_footer(text=f"Answer threshold: {self.service.policy.threshold:.2f}")
        await reply(interaction, embed=fit_embed(embed))

    @facts.command(name="history", description="Every revision of a fact: who, when, what and why")
    @about_a_fact("history")
    async def facts_history(self, interaction: discord.Interaction, fact_id: str) -> None:
        if (fact := await self._require_fact(interaction, fact_id)) is None:
            return
        revisions = await self.service.history(fact.id)
        lines = [clip(line, 400) for line in history_lines(revisions, escape=escape)]
        shown: list[str] = []
        for line in lines[:HISTORY_SHOWN]:
            if sum(len(s) + 1 for s in shown) + len(line) > EMBED_DESCRIPTION_LIMIT - 100:
                break
            shown.append(line)
        embed = discord.Embed(
            title=clip(f"History of {fact.id}", 256), description="\n".join(shown), colour=COLOUR_INFO
        )
        hidden = len(lines) - len(shown)
        footer = "Newest first. /facts revert makes any revision current again (as a new revision)."
        if hidden:
            footer = f"{hidden} older revision(s) not shown. " + footer
        embed.set_footer(text=footer)
        await reply(interaction, embed=fit_embed(embed))

    # -- changing ----------------------------------------------------------------------------

    @facts.command(name="revert", description="Make an earlier revision of a fact current again")
    @about_a_fact("revert")
    @app_commands.autocomplete(revision=revision_autocomplete)
    async def facts_revert(
        self,
        interaction: discord.Interaction,
        fact_id: str,
        revision: app_commands.Range[int, 1],
        reason: Reason = None,
    ) -> None:
        if (fact := await self._require_fact(interaction, fact_id)) is None:
            return
        before = await self.service.revision_of(fact.id)
        who = actor(interaction.user)
        new_revision = await self.service.revert(fact.id, revision, who, (reason or "").strip())
        language = user_language(interaction)
        if new_revision == before:
            await reply(
                interaction, say("revert_no_change", language, fact_id=code(fact.id), revision=revision)
            )
            return
        log.info("Fact %s reverted to r%s by %s", fact.id, revision, who.id)
        current = self.service.fact(fact.id) or fact
        embed = revision_card(self.service, current, new_revision, f"Reverted {fact.id}", COLOUR_OK)
        await reply(
            interaction,
            say("reverted", language, fact_id=code(fact.id), revision=revision, new_revision=new_revision),
            embed=embed,
        )

    @facts.command(name="retire", description="Retire a fact: it stops answering but keeps its history")
    @about_a_fact("retire")
    async def facts_retire(
        self, interaction: discord.Interaction, fact_id: str, reason: app_commands.Range[str, 1, 200]
    ) -> None:
        await self._set_status(interaction, fact_id, "retired", reason)

    @facts.command(name="restore", description="Restore a retired fact")
    @about_a_fact("restore")
    async def facts_restore(
        self, interaction: discord.Interaction, fact_id: str, reason: Reason = None
    ) -> None:
        await self._set_status(interaction, fact_id, "active", reason)

    async def _set_status(
        self,
        interaction: discord.Interaction,
        fact_id: str,
        status: Literal["active", "retired"],
        reason: str | None,
    ) -> None:
        if (fact := await self._require_fact(interaction, fact_id)) is None:
            return
        language = user_language(interaction)
        if fact.status == status:
            key = "already_retired" if status == "retired" else "already_active"
            await reply(interaction, say(key, language, fact_id=code(fact.id)))
            return
        who = actor(interaction.user)
        revision = await self.service.set_status(fact.id, status, who, " ".join((reason or "").split()))
        log.info("Fact %s set to %s by %s", fact.id, status, who.id)
        key = "retired" if status == "retired" else "restored"
        await reply(interaction, say(key, language, fact_id=code(fact.id), revision=revision))

    @facts.command(name="variant", description="Add or remove a way people ask for a fact")
    @app_commands.describe(**OPTION_HELP["variant"])
    @app_commands.choices(action=ACTION_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(fact_id=fact_id_autocomplete, text=variant_text_autocomplete)
    async def facts_variant(
        self,
        interaction: discord.Interaction,
        fact_id: str,
        action: app_commands.Choice[str],
        language: app_commands.Choice[str],
        text: app_commands.Range[str, 1, 300],
    ) -> None:
        if (fact := await self._require_fact(interaction, fact_id)) is None:
            return
        shown_in = user_language(interaction)
        try:
            wording = clean_variant(text)
        except CurationInputError as error:
            await reply(interaction, problems_message(error, language=shown_in))
            return
        lang = as_language(language.value)
        existing = fact.questions.get(lang)
        values = {"fact_id": code(fact.id), "language": language_name(lang, shown_in)}
        values["wording"] = quote_user_text(wording, 200)
        who = actor(interaction.user)
        adding = action.value == "add"
        if (wording in existing) == adding:
            await reply(
                interaction, say("variant_exists" if adding else "variant_missing", shown_in, **values)
            )
            return
        change = self.service.add_variant if adding else self.service.remove_variant
        revision = await change(fact.id, lang, wording, who)
        log.info("Variant %s on fact %s by %s", action.value, fact.id, who.id)
        key = "variant_added" if adding else "variant_removed"
        await reply(interaction, say(key, shown_in, revision=revision, **values))

    @facts.command(name="source", description="Add or update a source, optionally citing it in a fact")
    @app_commands.describe(**OPTION_HELP["source"])
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(fact_id=fact_id_autocomplete)
    async def facts_source(
        self,
        interaction: discord.Interaction,
        source_id: app_commands.Range[str, 1, 64],
        title: app_commands.Range[str, 1, 200],
        publisher: app_commands.Range[str, 1, 120],
        language: app_commands.Choice[str],
        date: app_commands.Range[str, 0, 10] | None = None,
        url: app_commands.Range[str, 0, 400] | None = None,
        fact_id: str | None = None,
    ) -> None:
        shown_in = user_language(interaction)
        try:
            source = build_source(source_id, title, publisher, language.value, date, url)
        except CurationInputError as error:
            await reply(interaction, problems_message(error, language=shown_in))
            return
        fact = await self._require_fact(interaction, fact_id) if fact_id else None
        if fact_id and fact is None:
            return
        who = actor(interaction.user)
        before = self.service.source(source.id)
        if before == source:
            outcome = "source_unchanged"
        else:
            await self.service.upsert_source(source, who)
            outcome = "source_updated" if before else "source_added"
            log.info("Source %s %s by %s", source.id, outcome, who.id)
        lines = [say(outcome, shown_in, source=source_line(source))]
        if fact is not None:
            if source.id in fact.source_ids:
                lines.append(say("already_cites", shown_in, fact_id=code(fact.id)))
            else:
                revision = await self.service.attach_source(fact.id, source.id, who)
                lines.append(say("now_cites", shown_in, fact_id=code(fact.id), revision=revision))
        await reply(interaction, "\n".join(lines))

    @facts.command(name="detach", description="Stop a fact citing a source (the source itself is kept)")
    @app_commands.describe(**OPTION_HELP["detach"])
    @app_commands.autocomplete(fact_id=fact_id_autocomplete, source_id=cited_source_autocomplete)
    async def facts_detach(
        self, interaction: discord.Interaction, fact_id: str, source_id: str, reason: Reason = None
    ) -> None:
        if (fact := await self._require_fact(interaction, fact_id)) is None:
            return
        who = actor(interaction.user)
        # The store refuses an id the fact does not cite, and the last source (a fact must cite one).
        revision = await self.service.detach_source(fact.id, source_id.strip(), who, (reason or "").strip())
        log.info("Source %s detached from fact %s by %s", source_id, fact.id, who.id)
        values = {"fact_id": code(fact.id), "source_id": code(source_id), "revision": revision}
        await reply(interaction, say("detached", user_language(interaction), **values))

    # -- reports -----------------------------------------------------------------------------

    @facts.command(name="gaps", description="Questions the bot could not answer, to link them to facts")
    @app_commands.describe(**OPTION_HELP["gaps"])
    async def facts_gaps(
        self, interaction: discord.Interaction, since: app_commands.Range[str, 0, 10] | None = None
    ) -> None:
        language = user_language(interaction)
        try:
            start = parse_since(since, self.now())
        except CurationInputError as error:
            await reply(interaction, problems_message(error, say("bad_since", language)))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        questions = await self.service.unanswered(start, limit=GAPS_SHOWN)
        since_text = format_day(start.date(), "en")  # the gaps panel is still in English
        view = GapsView(self.service, self.settings, interaction.user.id, questions, since_text)
        await finish(interaction, embed=view.embed(), view=view if questions else None)
        view.origin = interaction

    @facts.command(name="feedback", description="Answers people voted down, with the question asked")
    async def facts_feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = [row for row in await self.service.feedback_report(limit=FEEDBACK_SHOWN * 2) if row.downvotes]
        embed = discord.Embed(title="Answers voted 👎", colour=COLOUR_INFO)
        if not rows:
            embed.description = "No answer has been voted down yet."
        else:
            lines = []
            for row in rows[:FEEDBACK_SHOWN]:
                target = code(row.fact_id, 64) if row.fact_id else "no fact (the bot abstained)"
                lines.append(
                    f"👎 {row.downvotes} · 👍 {row.upvotes} · {row.language} · “{quote_user_text(row.text, 160)}” → {target}"
                )
            embed.description = "\n".join(lines)
            embed.set_footer(
                text="Most 👎 first. /facts show, /facts edit and /facts variant fix the facts behind them."
            )
        await finish(interaction, embed=fit_embed(embed))

    # -- export / import ---------------------------------------------------------------------

    @facts.command(name="export", description="Download the whole fact base as a JSON file")
    async def facts_export(self, interaction: discord.Interaction) -> None:
        language = user_language(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        fact_base = await self.service.export()
        data = dump_fact_base(fact_base).encode("utf-8")
        if len(data) > EXPORT_SIZE_LIMIT:
            await finish(interaction, say("export_too_big", language, size=len(data) // 1024 // 1024))
            return
        filename = f"fact-base-{self.now():%Y%m%d-%H%M%S}.json"
        file = discord.File(io.BytesIO(data), filename=filename)
        await finish(
            interaction,
            say("exported", language, counts=self._facts_count(fact_base, language)),
            file=file,
        )

    @facts.command(name="import", description="Replace the fact base with a JSON file (preview first)")
    @app_commands.describe(**OPTION_HELP["import"])
    async def facts_import(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        language = user_language(interaction)
        filename = clip(file.filename, 100)
        if file.size > MAX_DOCUMENT_BYTES:
            size, limit = f"{file.size / 1024 / 1024:.1f}", MAX_DOCUMENT_BYTES // 1024 // 1024
            await reply(
                interaction, say("import_too_big", language, filename=code(filename), size=size, limit=limit)
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            await finish(interaction, say("download_failed", language, filename=code(filename)))
            return
        try:
            fact_base = await asyncio.to_thread(_parse_document, data, filename)
        except FactBaseError as error:
            await finish(interaction, _document_problems(error, filename, language))
            return
        # Read before planning: a change landing in between is then seen as a change at Confirm.
        seen = await self.service.export()
        plan = await self.service.plan_import(fact_base)
        if not plan.has_changes:
            await finish(interaction, say("import_identical", language, filename=code(filename)))
            return
        view = ImportConfirmView(
            self.service, self.settings, interaction.user.id, fact_base, plan, filename, seen=seen
        )
        await finish(
            interaction,
            say("import_preview", language),
            embed=plan_embed(plan, filename),
            view=view,
        )
        view.origin = interaction


def _parse_document(data: bytes, filename: str) -> FactBase:
    return parse_fact_base(decode_document(data, filename), filename)


def _document_problems(error: FactBaseError, filename: str, language: Language) -> str:
    """Every problem (file, fact or source, field, why), as many as fit in one message."""
    header = say("not_a_fact_base", language, filename=code(filename), count=len(error.problems))
    lines = [header]
    used = len(header)
    for shown, problem in enumerate(error.problems):
        line = f"• {escape(describe_problem(problem))}"
        if used + len(line) + 60 > CONTENT_LIMIT:
            lines.append(say("more_problems", language, count=len(error.problems) - shown))
            break
        lines.append(clip(line, 300))
        used += len(lines[-1]) + 1
    return "\n".join(lines)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Curation(bot))
