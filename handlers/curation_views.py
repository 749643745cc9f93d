"""The curation cog's modals, views and selects, and the helpers every curation reply uses.

Why they look like this:

* Discord only *hides* curation from non-moderators (`default_permissions`), and anyone can
  replay a component interaction, so every modal and view checks again, on the server, that
  the person clicking is a moderator **and** the moderator who opened it (`owner_id`).
* A moderator's typing is never thrown away: a form that does not validate, or an edit that
  lost a race with another moderator, comes back with a button that reopens the form filled
  with what they typed.
* Stable custom_ids (prefix `facts:`) so end-to-end tests can click them; modal custom_ids
  carry a per-opening nonce because discord.py routes modal submits by custom_id alone.

Custom ids:
  facts:add:<nonce> / facts:edit:<nonce>      the fact modal (nonce: the opening interaction's id)
  facts:form:statement_en|statement_fr|attribution|date|tags_sources   its text inputs
  facts:form:retry                             "reopen the form" button (invalid input, stale edit)
  facts:gaps:question / facts:gaps:fact        the /facts gaps selects
  facts:import:confirm / facts:import:cancel   the /facts import buttons
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import discord

from config import Settings
from knowledge.curation import (
    FACT_FORM_LABELS,
    CurationInputError,
    FactForm,
    build_fact,
    clean_variant,
    describe_plan,
    link_candidates,
    with_quote,
)
from knowledge.dates import format_day
from knowledge.importing import ImportPlan
from knowledge.models import Actor, Fact, FactBase, Language, Source
from knowledge.phrases import phrases
from knowledge.schema import LIMITS
from knowledge.service import KnowledgeService
from knowledge.store import DuplicateFact, StaleRevision, UnansweredQuestion

from .permissions import actor_of, is_moderator
from .safety import (
    MODAL_TITLE_LIMIT,
    NO_PINGS,
    SELECT_OPTION_LABEL_LIMIT,
    clip,
    escape,
    fit_embed,
    quote_user_text,
)
from .shared import language_name, problems_message, reply, report_error, user_language

log = logging.getLogger(__name__)

CUSTOM_ID_PREFIX = "facts:"
FORM_FIELD_IDS = {name: f"facts:form:{name}" for name in FACT_FORM_LABELS}
RETRY_ID = "facts:form:retry"
GAPS_QUESTION_ID = "facts:gaps:question"
GAPS_FACT_ID = "facts:gaps:fact"
IMPORT_CONFIRM_ID = "facts:import:confirm"
IMPORT_CANCEL_ID = "facts:import:cancel"

VIEW_TIMEOUT = 600.0
# Writing a fact takes time; a modal that timed out would silently drop what was typed.
MODAL_TIMEOUT = 3600.0
IMPORT_TIMEOUT = 300.0
MAX_SELECT_OPTIONS = 25
SELECT_DESCRIPTION_LIMIT = 100
LABEL_DESCRIPTION_LIMIT = 100

NOT_IN_GUILD = "Curation works only inside a server, not in direct messages."
NOT_MODERATOR = (
    "Sorry, only moderators can curate the fact base (Manage Server permission or a moderator role)."
)
NOT_OWNER = "This panel belongs to another moderator. Run the command yourself to get your own."

COLOUR_OK = discord.Colour.green()
COLOUR_INFO = discord.Colour.blurple()
COLOUR_WARN = discord.Colour.orange()
COLOUR_RETIRED = discord.Colour.dark_grey()


# ---------------------------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------------------------


def code(text: str, limit: int = 120) -> str:
    """Inline code for ids and URLs: shown literally and copyable (backticks cannot break out)."""
    return f"`{clip(text.replace('`', 'ˋ'), limit)}`"


def refusal_for(
    interaction: discord.Interaction, settings: Settings, owner_id: int | None = None
) -> str | None:
    """Why this person may not use this curation command or panel, or None if they may."""
    if interaction.guild is None:
        return NOT_IN_GUILD
    if not is_moderator(interaction.user, settings):
        return NOT_MODERATOR
    if owner_id is not None and interaction.user.id != owner_id:
        return NOT_OWNER
    return None


def actor(user: discord.abc.User) -> Actor:
    actor_id, name = actor_of(user)
    return Actor(id=actor_id, name=name)


# ---------------------------------------------------------------------------------------------
# Rendering facts
# ---------------------------------------------------------------------------------------------


def source_line(source: Source) -> str:
    details = ", ".join(
        part for part in (escape(source.publisher), source.date or "", source.language) if part
    )
    line = f"{code(source.id, 64)} {escape(clip(source.title, 120))} ({details})"
    return line + (f" {code(source.url, 200)}" if source.url else "")


def revision_card(
    service: KnowledgeService, fact: Fact, revision: int, heading: str, colour: discord.Colour
) -> discord.Embed:
    """A fact as saved, or as it now stands, at `revision`: under a confirmation or a refusal."""
    return fact_embed(fact, service.sources(), revision=revision, heading=heading, colour=colour)


def fact_embed(
    fact: Fact,
    sources: Sequence[Source],
    *,
    revision: int | None = None,
    heading: str | None = None,
    colour: discord.Colour | None = None,
) -> discord.Embed:
    """Everything a moderator checks about a fact, each part in its own field."""
    retired = not fact.active
    title = heading or f"Fact {fact.id}"
    embed = discord.Embed(
        title=clip(title + (" (retired)" if retired and not heading else ""), 256),
        colour=colour or (COLOUR_RETIRED if retired else COLOUR_INFO),
    )
    embed.add_field(name="Statement (English)", value=escape(fact.statement.en), inline=False)
    embed.add_field(name="Statement (French)", value=escape(fact.statement.fr), inline=False)
    embed.add_field(
        name="Attribution",
        value=f"{escape(fact.attribution.en)} | {escape(fact.attribution.fr)}",
        inline=False,
    )
    if fact.quote is not None:
        quote = f"{escape(fact.quote.speaker)}: “{escape(fact.quote.original)}”"
        if fact.quote.translation:
            quote += f"\n({escape(fact.quote.translation)})"
        embed.add_field(name="Quote", value=quote, inline=False)
    embed.add_field(name="Date", value=fact.date or "—")
    embed.add_field(name="Status", value=fact.status)
    embed.add_field(name="Revision", value=str(revision) if revision is not None else "—")
    embed.add_field(name="Tags", value=", ".join(code(t, 64) for t in fact.tags) or "—", inline=False)
    cited = {s.id: s for s in sources}
    lines = [
        source_line(cited[s]) if s in cited else f"{code(s, 64)} (unknown source)" for s in fact.source_ids
    ]
    embed.add_field(name="Sources", value="\n".join(lines) or "—", inline=False)
    embed.add_field(
        name="Question variants",
        value=f"{len(fact.questions.en)} English, {len(fact.questions.fr)} French",
        inline=False,
    )
    return fit_embed(embed)


# ---------------------------------------------------------------------------------------------
# Base classes: every component re-checks who is clicking
# ---------------------------------------------------------------------------------------------


class ModeratorView(discord.ui.View):
    """A view only its owner may use, and only while they are still a moderator."""

    def __init__(self, settings: Settings, owner_id: int, *, timeout: float | None = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.settings = settings
        self.owner_id = owner_id
        # The interaction whose response carries this view, so the view can disable itself on timeout.
        self.origin: discord.Interaction | None = None

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        refusal = refusal_for(interaction, self.settings, self.owner_id)
        if refusal is None:
            return True
        log.info("Refused curation component %s to user %s", self.__class__.__name__, interaction.user.id)
        await reply(interaction, refusal)
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error, user_language(interaction))

    async def on_timeout(self) -> None:
        for child in self.children:
            if isinstance(child, (discord.ui.Button, discord.ui.Select)):
                child.disabled = True
        if self.origin is not None:
            # The message may be gone or the token expired: then there is nothing left to disable.
            with contextlib.suppress(discord.HTTPException):
                await self.origin.edit_original_response(view=self)


class ModeratorModal(discord.ui.Modal):
    """A modal whose submission is refused unless it comes from its owner, a moderator."""

    def __init__(self, settings: Settings, owner_id: int, *, title: str, custom_id: str) -> None:
        super().__init__(title=clip(title, MODAL_TITLE_LIMIT), custom_id=custom_id, timeout=MODAL_TIMEOUT)
        self.settings = settings
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        refusal = refusal_for(interaction, self.settings, self.owner_id)
        if refusal is None:
            return True
        log.info("Refused curation modal submit to user %s", interaction.user.id)
        await reply(interaction, refusal)
        return False

    # discord.py's Modal narrows BaseView.on_error (no item); mypy checks against both.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error, user_language(interaction))


# ---------------------------------------------------------------------------------------------
# Adding and editing a fact
# ---------------------------------------------------------------------------------------------


# The fact form in the moderator's language. Labels fit Discord's 45 characters; the English
# labels are also how problems name the fields (knowledge.curation.FACT_FORM_LABELS).
form_text = phrases.area("form")
say = phrases.area("curation")


@dataclass(frozen=True, slots=True)
class FactFormRequest:
    """Everything needed to (re)open the fact modal: what it edits and what to pre-fill."""

    mode: str  # 'add' | 'edit'
    fact_id: str
    form: FactForm
    reason: str = ""
    base: Fact | None = None  # the fact as it was when the edit started
    expected_revision: int | None = None
    language: Language = "en"  # the moderator's Discord language: the form's labels and hints


class FactModal(ModeratorModal):
    """Five inputs (a modal's maximum); see knowledge.curation.FactForm for the layout."""

    def __init__(
        self,
        service: KnowledgeService,
        settings: Settings,
        owner_id: int,
        request: FactFormRequest,
        nonce: int,
    ) -> None:
        language = request.language
        if request.mode == "add":
            title = form_text("title_add", language, fact_id=request.fact_id)
        else:
            title = form_text(
                "title_edit", language, fact_id=request.fact_id, revision=request.expected_revision
            )
        super().__init__(settings, owner_id, title=title, custom_id=f"facts:{request.mode}:{nonce}")
        self.service = service
        self.request = request
        values = request.form.values()
        statement_limit = LIMITS["statement"]
        specs: dict[str, dict[str, Any]] = {
            "statement_en": dict(
                style=discord.TextStyle.paragraph,
                max_length=statement_limit,
                placeholder=form_text("statement_en_hint", language),
                description=form_text("required", language, limit=statement_limit),
            ),
            "statement_fr": dict(
                style=discord.TextStyle.paragraph,
                max_length=statement_limit,
                placeholder=form_text("statement_fr_hint", language),
                description=form_text("required", language, limit=statement_limit),
            ),
            "attribution": dict(
                style=discord.TextStyle.short,
                max_length=2 * LIMITS["attribution"] + 3,
                placeholder="according to The Atlantic | selon The Atlantic",
                description=form_text("attribution_hint", language),
            ),
            "date": dict(
                style=discord.TextStyle.short,
                max_length=10,
                required=False,
                placeholder="2017-11-13",
                description=form_text("date_hint", language),
            ),
            "tags_sources": dict(
                style=discord.TextStyle.paragraph,
                max_length=2000,
                placeholder="tags: wikileaks, trump-jr\nsources: the-atlantic-2017-11-13",
                description=form_text("tags_sources_hint", language),
            ),
        }
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for name, spec in specs.items():
            description = spec.pop("description")
            text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
                custom_id=FORM_FIELD_IDS[name], default=values[name] or None, **spec
            )
            self.inputs[name] = text_input
            self.add_item(
                discord.ui.Label(
                    text=form_text(name, language),
                    description=clip(description, LABEL_DESCRIPTION_LIMIT),
                    component=text_input,
                )
            )

    def typed(self) -> FactForm:
        return FactForm(**{name: text_input.value or "" for name, text_input in self.inputs.items()})

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        request = self.request
        form = self.typed()
        typed = replace(request, form=form)
        try:
            fact = build_fact(request.fact_id, form, self.service.sources(), base=request.base)
        except CurationInputError as error:
            retry = FormRetryView(self.service, self.settings, self.owner_id, typed, label="Fix the form")
            await reply(interaction, problems_message(error), view=retry)
            retry.origin = interaction
            return
        who = actor(interaction.user)
        if request.mode == "add":
            await self._add(interaction, fact, who, typed)
        else:
            await self._edit(interaction, fact, who, typed)

    async def _add(
        self, interaction: discord.Interaction, fact: Fact, who: Actor, typed: FactFormRequest
    ) -> None:
        try:
            revision = await self.service.add_fact(fact, who, self.request.reason)
        except DuplicateFact:
            # Someone added the same id while this moderator typed: keep their text, offered as an
            # edit of the fact that now exists (stale-safe from its current revision).
            existing, current_revision = await self.service.current(fact.id)
            retry_request = replace(typed, mode="edit", base=existing, expected_revision=current_revision)
            retry = FormRetryView(
                self.service, self.settings, self.owner_id, retry_request, label="Edit it with my text"
            )
            embed = revision_card(
                self.service, existing, current_revision, f"Current version of {fact.id}", COLOUR_WARN
            )
            message = say("added_meanwhile", user_language(interaction), fact_id=code(fact.id))
            await reply(interaction, message, embed=embed, view=retry)
            retry.origin = interaction
            return
        log.info("Fact %s added by %s", fact.id, who.id)
        embed = revision_card(self.service, fact, revision, f"Added fact {fact.id}", COLOUR_OK)
        await reply(interaction, say("saved", user_language(interaction), revision=revision), embed=embed)

    async def _edit(
        self, interaction: discord.Interaction, fact: Fact, who: Actor, typed: FactFormRequest
    ) -> None:
        expected = self.request.expected_revision
        try:
            revision = await self.service.update_fact(
                fact, who, self.request.reason, expected_revision=expected
            )
        except StaleRevision as stale:
            retry_request = replace(typed, base=stale.fact, expected_revision=stale.revision)
            retry = FormRetryView(
                self.service,
                self.settings,
                self.owner_id,
                retry_request,
                label=f"Edit again from revision {stale.revision}",
            )
            embed = revision_card(
                self.service, stale.fact, stale.revision, f"Current version of {fact.id}", COLOUR_WARN
            )
            message = say(
                "stale",
                user_language(interaction),
                fact_id=code(fact.id),
                revision=stale.revision,
                expected=stale.expected_revision,
            )
            await reply(interaction, message, embed=embed, view=retry)
            retry.origin = interaction
            return
        if revision == expected:
            message = say(
                "edit_no_change", user_language(interaction), fact_id=code(fact.id), revision=revision
            )
            await reply(interaction, message)
            return
        log.info("Fact %s edited by %s (revision %s)", fact.id, who.id, revision)
        embed = revision_card(self.service, fact, revision, f"Edited fact {fact.id}", COLOUR_OK)
        await reply(interaction, say("saved", user_language(interaction), revision=revision), embed=embed)


QUOTE_FIELD_IDS = {
    name: f"facts:quote:{name}" for name in ("speaker", "original", "original_language", "translation")
}


class QuoteModal(ModeratorModal):
    """A fact's quote: who said it, their words, the words' language, our English translation.

    Emptying both the speaker and the words removes the quote. The edit is stale-safe: it is
    based on the revision the moderator saw when the form opened.
    """

    def __init__(
        self,
        service: KnowledgeService,
        settings: Settings,
        owner_id: int,
        fact: Fact,
        revision: int,
        reason: str,
        nonce: int,
    ) -> None:
        super().__init__(
            settings, owner_id, title=f"Quote of {fact.id} (r{revision})", custom_id=f"facts:quote:{nonce}"
        )
        self.service = service
        self.fact = fact
        self.revision = revision
        self.reason = reason
        values = fact.quote.to_dict() if fact.quote else {}
        specs: dict[str, tuple[str, str | None, discord.TextStyle, str]] = {
            "speaker": ("Who said it", values.get("speaker"), discord.TextStyle.short, "Empty to remove"),
            "original": (
                "Their words, as published",
                values.get("original"),
                discord.TextStyle.paragraph,
                "Empty to remove",
            ),
            "original_language": (
                "Language of the words (en or fr)",
                values.get("original_language"),
                discord.TextStyle.short,
                "en or fr",
            ),
            "translation": (
                "Our English translation (if French)",
                values.get("translation"),
                discord.TextStyle.paragraph,
                "Leave empty for English words",
            ),
        }
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for name, (label, value, style, hint) in specs.items():
            text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
                custom_id=QUOTE_FIELD_IDS[name],
                default=value or None,
                style=style,
                required=False,
                max_length=1500,
            )
            self.inputs[name] = text_input
            self.add_item(discord.ui.Label(text=label, description=hint, component=text_input))

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        typed = {name: text_input.value or "" for name, text_input in self.inputs.items()}
        # CurationInputError and StaleRevision reach the moderator through report_error (on_error).
        updated = with_quote(self.fact, self.service.sources(), **typed)
        who = actor(interaction.user)
        revision = await self.service.update_fact(updated, who, self.reason, expected_revision=self.revision)
        language = user_language(interaction)
        if revision == self.revision:
            await reply(interaction, say("quote_no_change", language, fact_id=code(self.fact.id)))
            return
        log.info("Quote of fact %s edited by %s (revision %s)", self.fact.id, who.id, revision)
        key = "quote_removed" if updated.quote is None else "quote_saved"
        await reply(interaction, say(key, language, fact_id=code(self.fact.id), revision=revision))


class FormRetryView(ModeratorView):
    """One button that reopens the fact modal with what the moderator typed."""

    def __init__(
        self,
        service: KnowledgeService,
        settings: Settings,
        owner_id: int,
        request: FactFormRequest,
        *,
        label: str,
    ) -> None:
        super().__init__(settings, owner_id)
        self.service = service
        self.request = request
        self.reopen.label = clip(label, 80)

    @discord.ui.button(label="Reopen the form", style=discord.ButtonStyle.primary, custom_id=RETRY_ID)
    async def reopen(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        modal = FactModal(self.service, self.settings, self.owner_id, self.request, nonce=interaction.id)
        await interaction.response.send_modal(modal)


# ---------------------------------------------------------------------------------------------
# Gaps: linking unanswered questions to facts
# ---------------------------------------------------------------------------------------------


def gaps_embed(questions: Sequence[UnansweredQuestion], since_text: str) -> discord.Embed:
    embed = discord.Embed(title="Unanswered questions", colour=COLOUR_INFO)
    if not questions:
        embed.description = f"No unanswered questions since {since_text}."
        return fit_embed(embed)
    lines = [
        f"**{i}.** ×{q.count} · {q.language} · {quote_user_text(q.text, 120)}"
        for i, q in enumerate(questions, start=1)
    ]
    embed.description = "\n".join(lines)
    embed.set_footer(
        text=f"Since {since_text}, most asked first. Choose a question, then the fact that answers it: "
        "the question becomes one of its variants, so the next person gets an answer."
    )
    return fit_embed(embed)


class GapsView(ModeratorView):
    """Select a question, then a fact (ranked by the matcher for that question) to link it to."""

    def __init__(
        self,
        service: KnowledgeService,
        settings: Settings,
        owner_id: int,
        questions: Sequence[UnansweredQuestion],
        since_text: str,
    ) -> None:
        super().__init__(settings, owner_id)
        self.service = service
        self.since_text = since_text
        self.questions: dict[str, UnansweredQuestion] = {
            str(q.question_id): q for q in list(questions)[:MAX_SELECT_OPTIONS]
        }
        self.chosen: UnansweredQuestion | None = None
        self.question_select: discord.ui.Select[GapsView] = discord.ui.Select(
            custom_id=GAPS_QUESTION_ID, placeholder="1. Choose a question to answer…", row=0
        )
        self.question_select.callback = self.on_question  # type: ignore[method-assign]
        self.fact_select: discord.ui.Select[GapsView] = discord.ui.Select(
            custom_id=GAPS_FACT_ID, placeholder="2. …then the fact that answers it", row=1
        )
        self.fact_select.callback = self.on_fact  # type: ignore[method-assign]
        self._rebuild()

    def _rebuild(self) -> None:
        self.clear_items()
        if not self.questions:
            return
        self.question_select.options = [
            discord.SelectOption(
                label=clip(" ".join(q.text.split()), SELECT_OPTION_LABEL_LIMIT),
                value=key,
                description=clip(
                    f"asked {q.count}× · {language_name(q.language, 'en')} · last {format_day(q.last_asked.date(), 'en')}",
                    SELECT_DESCRIPTION_LIMIT,
                ),
                default=self.chosen is not None and key == str(self.chosen.question_id),
            )
            for key, q in self.questions.items()
        ]
        self.add_item(self.question_select)
        if self.chosen is None:
            return
        matches = self.service.search(self.chosen.text, limit=MAX_SELECT_OPTIONS)
        candidates = link_candidates(self.service.facts(), matches, limit=MAX_SELECT_OPTIONS)
        if not candidates:
            return
        self.fact_select.options = [
            discord.SelectOption(
                label=clip(f"{fact.id} · {score:.2f}", SELECT_OPTION_LABEL_LIMIT),
                value=fact.id,
                description=clip(
                    " ".join(fact.statement.get(self.chosen.language).split()), SELECT_DESCRIPTION_LIMIT
                ),
            )
            for fact, score in candidates
        ]
        self.add_item(self.fact_select)

    def embed(self, note: str | None = None) -> discord.Embed:
        embed = gaps_embed(list(self.questions.values()), self.since_text)
        if self.chosen is not None:
            embed.add_field(
                name="Answering",
                value=f"{quote_user_text(self.chosen.text, 300)} ({language_name(self.chosen.language, 'en')})",
                inline=False,
            )
        if note:
            embed.add_field(name="Done", value=note, inline=False)
        return fit_embed(embed)

    async def on_question(self, interaction: discord.Interaction) -> None:
        self.chosen = (
            self.questions.get(self.question_select.values[0]) if self.question_select.values else None
        )
        self._rebuild()
        await interaction.response.edit_message(embed=self.embed(), view=self, allowed_mentions=NO_PINGS)

    async def on_fact(self, interaction: discord.Interaction) -> None:
        question = self.chosen
        language = user_language(interaction)
        if question is None or not self.fact_select.values:
            await reply(interaction, say("choose_question", language))
            return
        fact_id = self.fact_select.values[0]
        try:
            wording = clean_variant(question.text)
        except CurationInputError as error:
            await reply(
                interaction,
                problems_message(error, say("not_a_variant", language)),
            )
            return
        revision = await self.service.link_question(
            question.normalized, fact_id, question.language, wording, actor(interaction.user)
        )
        log.info("Question %s linked to fact %s by %s", question.question_id, fact_id, interaction.user.id)
        self.questions.pop(str(question.question_id), None)
        self.chosen = None
        self._rebuild()
        note = say(
            "linked",
            language,
            question=quote_user_text(question.text, 150),
            fact_id=code(fact_id),
            revision=revision,
        )
        await interaction.response.edit_message(embed=self.embed(note), view=self, allowed_mentions=NO_PINGS)
        answer = self.service.answer(question.text, question.language)
        answers = answer.answered and any(found.fact.id == fact_id for found in answer.facts)
        outcome = say("link_answers" if answers else "link_weak", language)
        await reply(interaction, f"{note}\n{outcome}")


# ---------------------------------------------------------------------------------------------
# Import: preview, then Confirm / Cancel
# ---------------------------------------------------------------------------------------------


def plan_embed(plan: ImportPlan, filename: str, *, heading: str = "Import preview") -> discord.Embed:
    description = describe_plan(plan)
    embed = discord.Embed(
        title=clip(f"{heading}: {filename}", 256),
        description=escape(description.summary),
        colour=COLOUR_WARN if description.has_changes else COLOUR_INFO,
    )
    for section_heading, body in description.sections:
        embed.add_field(name=section_heading, value=escape(body), inline=False)
    return fit_embed(embed)


class ImportConfirmView(ModeratorView):
    """Nothing changes until Confirm; Cancel and the 5-minute timeout change nothing."""

    def __init__(
        self,
        service: KnowledgeService,
        settings: Settings,
        owner_id: int,
        fact_base: FactBase,
        plan: ImportPlan,
        filename: str,
        *,
        seen: FactBase | None = None,
    ) -> None:
        super().__init__(settings, owner_id, timeout=IMPORT_TIMEOUT)
        self.service = service
        self.fact_base = fact_base
        self.plan = plan
        self.filename = filename
        # The fact base as it was when the preview was made: the plan only lists ids, so a newer
        # edit of a fact the import already changes would not show in it.
        self.seen = seen
        self.finished = False

    def _close(self) -> None:
        self.finished = True
        self.clear_items()
        self.stop()

    @discord.ui.button(label="Confirm import", style=discord.ButtonStyle.danger, custom_id=IMPORT_CONFIRM_ID)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        if self.finished:
            await reply(interaction, say("import_closed", user_language(interaction)))
            return
        self.finished = True  # a double click must not apply twice
        await interaction.response.defer()
        try:
            current = await self.service.export() if self.seen is not None else None
            fresh = await self.service.plan_import(self.fact_base)
            if fresh != self.plan or current != self.seen:
                # Someone curated in between: show what would really happen and ask again.
                self.plan, self.seen, self.finished = fresh, current, False
                embed = plan_embed(fresh, self.filename)
                await interaction.edit_original_response(
                    content=say("import_changed", user_language(interaction)),
                    embed=embed,
                    view=self,
                    allowed_mentions=NO_PINGS,
                )
                return
            who = actor(interaction.user)
            applied = await self.service.apply_import(
                self.fact_base, who, reason=clip(f"import of {self.filename}", 200)
            )
        except BaseException:
            self.finished = False
            raise
        log.info("Import of %s applied by %s: %s", self.filename, who.id, applied.counts())
        self._close()
        embed = plan_embed(applied, self.filename, heading="Imported")
        await interaction.edit_original_response(
            content=say("import_applied", user_language(interaction)),
            embed=embed,
            view=None,
            allowed_mentions=NO_PINGS,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id=IMPORT_CANCEL_ID)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        language = user_language(interaction)
        if self.finished:
            await reply(interaction, say("import_closed", language))
            return
        self._close()
        await interaction.response.edit_message(
            content=say("import_cancelled", language), embed=None, view=None, allowed_mentions=NO_PINGS
        )

    async def on_timeout(self) -> None:
        if self.finished:
            return
        self.finished = True
        if self.origin is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.origin.edit_original_response(
                    content=say("import_expired", user_language(self.origin)),
                    view=None,
                    allowed_mentions=NO_PINGS,
                )
