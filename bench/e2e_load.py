"""Many users asking at once through the Discord twin, and when each one got its reply.

Shared by ``python -m bench.e2e`` and ``tests/e2e/test_load.py``. Each simulated user is a
coroutine that asks its questions one after the other (a closed loop: the next question
leaves when the previous one is answered), all users at the same time.

Timing, on the twin's monotonic clock:

* *dispatched*: the twin has sent the question's INTERACTION_CREATE (``/ask``) or
  MESSAGE_CREATE (an @mention) frame to the bot;
* *answered*: the twin received the request that made the answer visible: the interaction
  callback when it carries the message (type 4), the first follow-up or edit of @original
  after a "thinking" defer (type 5), or the ``POST /channels/{id}/messages`` that replies to
  the mention (``message_reference``). Only 2xx answers count: a 429 the bot retries is
  not an answer, its successful retry is.

One :class:`ReplyTracker` reads each new request once (it wakes on the twin's notifier),
so waiting for hundreds of answers costs the driver next to nothing; a per-question wait on
the twin's own helpers would re-scan whole channels on every wake-up and compete with the
bot for the same two cores.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.e2e.twin import Channel, RecordedRequest, Twin, TwinInteraction, User

MESSAGES_ROUTE = "/channels/{channel_id}/messages"
CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"
WEBHOOK_ROUTE = "/webhooks/{webhook_id}/{webhook_token}"

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5

# Real readers' questions about the story (from the labelled evaluation set), in both
# languages, and questions the bot must decline ("I don't know that from this story").
ENGLISH = (
    "what did WikiLeaks propose?",
    "What did Trump Jr. tweet?",
    "Which publication first reported that WikiLeaks had been messaging Trump Jr.?",
    "Is WikiLeaks thought to have helped Trump during the campaign?",
    "Is Donald Trump Jr. the president's oldest son?",
    "Who made the WikiLeaks messages public on Twitter?",
    "What exactly did Trump Jr. write in his tweet?",
    "According to Trump Jr., who leaked the messages first?",
    "did trump jr post the mesages on twiter",
    "Who did the president's son blame for the selective leak?",
)
FRENCH = (
    "qu'a proposé WikiLeaks ?",
    "Quel média a dévoilé la correspondance entre WikiLeaks et le fils Trump ?",
    "Soupçonne-t-on WikiLeaks d'avoir aidé Trump ?",
    "Qui a diffusé les échanges sur Twitter ?",
    "Quel est le texte du tweet de Trump Jr. ?",
    "Trump Jr. a répondu combien de fois à WikiLeaks ?",
    "Le fils du président a-t-il lui-même rendu la conversation publique ?",
)
OFF_TOPIC = (
    ("What's the weather like in Paris today?", "en"),
    ("Who won the World Cup in 2018?", "en"),
    ("How do I make a chocolate cake?", "en"),
    ("Quelle est la capitale de l'Australie ?", "fr"),
)

# Per block of 20 questions: 10 English, 7 French, 3 off-topic, shuffled; /ask and mentions
# alternate, so even a tiny load has every kind.
_BLOCK = ("en",) * 10 + ("fr",) * 7 + ("off",) * 3


@dataclass(frozen=True, slots=True)
class LoadQuestion:
    text: str
    language: str  # "en" or "fr"
    on_topic: bool
    mention: bool  # True: an @mention message; False: /ask

    @property
    def locale(self) -> str:
        return "fr" if self.language == "fr" else "en-US"

    @property
    def kind(self) -> str:
        return "mention" if self.mention else "slash"


def question_mix(count: int, *, seed: int = 20171113) -> list[LoadQuestion]:
    """``count`` questions: half /ask, half mentions; 50 % English, 35 % French, 15 % off-topic."""
    rng = random.Random(seed)
    questions: list[LoadQuestion] = []
    block: list[str] = []
    for index in range(count):
        if not block:
            block = list(_BLOCK)
            rng.shuffle(block)
        kind = block.pop()
        mention = index % 2 == 1
        if kind == "off":
            text, language = rng.choice(OFF_TOPIC)
            questions.append(LoadQuestion(text, language, False, mention))
        else:
            text = rng.choice(ENGLISH if kind == "en" else FRENCH)
            questions.append(LoadQuestion(text, kind, True, mention))
    return questions


@dataclass(slots=True)
class Assignment:
    """One simulated user: where they ask, and what, in order."""

    user: User
    channel: Channel
    questions: list[LoadQuestion] = field(default_factory=list)


def assign(
    questions: Sequence[LoadQuestion], users: Sequence[User], channels: Sequence[Channel]
) -> list[Assignment]:
    """Question ``i`` goes to user ``i mod len(users)``; user ``j`` asks in channel ``j mod len(channels)``."""
    plans = [Assignment(user, channels[j % len(channels)]) for j, user in enumerate(users)]
    for index, question in enumerate(questions):
        plans[index % len(plans)].questions.append(question)
    return [plan for plan in plans if plan.questions]


@dataclass(slots=True)
class Delivery:
    """One question's fate."""

    question: LoadQuestion
    user: User
    channel: Channel
    dispatched_at: float
    interaction: TwinInteraction | None = None
    message_id: int | None = None  # the question's message (mentions)
    answered_at: float | None = None
    failure: str | None = None

    @property
    def latency(self) -> float | None:
        if self.answered_at is None:
            return None
        return max(0.0, self.answered_at - self.dispatched_at)

    def describe(self) -> str:
        what = f"/ask #{self.interaction.id}" if self.interaction else f"mention {self.message_id}"
        return f"{what} by {self.user.username} ({self.question.text!r}): {self.failure or 'answered'}"


def answered_at(interaction: TwinInteraction) -> float | None:
    """When the twin received the request that made this interaction's answer visible."""
    if interaction.callback is None or interaction.callback_type is None:
        return None
    if interaction.callback_type != CALLBACK_DEFERRED_MESSAGE:
        return interaction.callback.at
    later = [
        r.at
        for r in interaction.requests
        if r is not interaction.callback
        and r.method in ("POST", "PATCH")
        and r.status is not None
        and 200 <= r.status < 300
    ]
    return min(later) if later else None


class ReplyTracker:
    """Follows the twin's request log and resolves each waiting question when its answer lands.

    Also keeps, for every question message, the successful replies that reference it
    (``replies``), so a test can check that each was delivered exactly once.
    """

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.replies: dict[int, list[RecordedRequest]] = defaultdict(list)
        self.answered = 0
        self._cursor = 0
        self._unfinished: list[RecordedRequest] = []
        self._by_interaction: dict[int, tuple[Delivery, asyncio.Future[Delivery]]] = {}
        self._by_message: dict[int, tuple[Delivery, asyncio.Future[Delivery]]] = {}
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ReplyTracker:
        self._cursor = len(self.twin.ctx.requests)  # only what happens from now on
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self.twin.ctx.notifier.notify()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        try:
            await self.twin.ctx.notifier.wait_for(
                self._scan, timeout=24 * 3600, description="the load tracker", abort=self.twin.crash_report
            )
        except Exception as error:  # the bot died: fail every waiting question now, not at its timeout
            for _, future in [*self._by_interaction.values(), *self._by_message.values()]:
                if not future.done():
                    future.set_exception(error)

    def _scan(self) -> bool:
        fresh = self.twin.ctx.requests.since(self._cursor)
        self._cursor += len(fresh)
        still: list[RecordedRequest] = []
        for record in [*self._unfinished, *fresh]:
            if record.status is None:
                still.append(record)
            else:
                self._settle(record)
        self._unfinished = still
        return self._closing

    def _settle(self, record: RecordedRequest) -> None:
        route = record.route or ""
        if route == MESSAGES_ROUTE and record.method == "POST":
            if record.status is None or not 200 <= record.status < 300 or not isinstance(record.json, dict):
                return
            ref = (record.json.get("message_reference") or {}).get("message_id")
            if ref is None:
                return
            message_id = int(ref)
            self.replies[message_id].append(record)
            waiting = self._by_message.pop(message_id, None)
            if waiting is not None:
                self._resolve(*waiting, at=record.at)
        elif route.startswith(("/interactions/", "/webhooks/")):
            token = record.params.get("interaction_token") or record.params.get("webhook_token")
            interaction = self.twin.ctx.by_token.get(token or "")
            if interaction is not None and interaction.id in self._by_interaction:
                self._check_interaction(interaction)

    def _check_interaction(self, interaction: TwinInteraction) -> None:
        delivery, future = self._by_interaction[interaction.id]
        if interaction.rejected and not interaction.acknowledged:
            del self._by_interaction[interaction.id]
            delivery.failure = "rejected by the twin: " + "; ".join(interaction.rejected)
            if not future.done():
                future.set_result(delivery)
            return
        at = answered_at(interaction)
        if at is not None:
            del self._by_interaction[interaction.id]
            self._resolve(delivery, future, at=at)

    def _resolve(self, delivery: Delivery, future: asyncio.Future[Delivery], *, at: float) -> None:
        delivery.answered_at = at
        self.answered += 1
        if not future.done():
            future.set_result(delivery)

    def expect(self, delivery: Delivery) -> asyncio.Future[Delivery]:
        """A future resolved when ``delivery``'s question is answered (maybe already)."""
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        if delivery.interaction is not None:
            self._by_interaction[delivery.interaction.id] = (delivery, future)
            self._check_interaction(delivery.interaction)
        else:
            assert delivery.message_id is not None
            self._by_message[delivery.message_id] = (delivery, future)
            earlier = self.replies.get(delivery.message_id)
            if earlier:
                del self._by_message[delivery.message_id]
                self._resolve(delivery, future, at=earlier[0].at)
        return future

    def forget(self, delivery: Delivery) -> None:
        if delivery.interaction is not None:
            self._by_interaction.pop(delivery.interaction.id, None)
        if delivery.message_id is not None:
            self._by_message.pop(delivery.message_id, None)


async def ask(
    twin: Twin, tracker: ReplyTracker, user: User, channel: Channel, question: LoadQuestion, *, timeout: float
) -> Delivery:
    """Send one question and wait (at most ``timeout`` s) for its answer."""
    if question.mention:
        message = await twin.send_message(channel, user, question.text, mention_bot=True)
        delivery = Delivery(question, user, channel, time.monotonic(), message_id=int(message["id"]))
    else:
        interaction = await twin.invoke_slash(
            "ask", user=user, channel=channel, options={"question": question.text}, locale=question.locale
        )
        delivery = Delivery(question, user, channel, time.monotonic(), interaction=interaction)
    try:
        await asyncio.wait_for(tracker.expect(delivery), timeout)
    except TimeoutError:
        tracker.forget(delivery)
        rejected = delivery.interaction.rejected if delivery.interaction else []
        delivery.failure = f"no answer within {timeout:.0f} s" + (
            f" ({'; '.join(rejected)})" if rejected else ""
        )
    return delivery


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    deliveries: list[Delivery]
    tracker: ReplyTracker

    @property
    def answered(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.answered_at is not None and d.failure is None]

    @property
    def failures(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.answered_at is None or d.failure is not None]

    @property
    def started_at(self) -> float:
        return min(d.dispatched_at for d in self.deliveries)

    @property
    def finished_at(self) -> float:
        return max(
            (d.answered_at for d in self.answered if d.answered_at is not None), default=self.started_at
        )

    @property
    def duration(self) -> float:
        return max(self.finished_at - self.started_at, 1e-9)

    @property
    def throughput(self) -> float:
        """Answered questions per second, first dispatch to last answer."""
        return len(self.answered) / self.duration if self.answered else 0.0

    def latencies(self) -> list[float]:
        return [d.latency for d in self.answered if d.latency is not None]

    def latency(self, pct: float) -> float:
        values = self.latencies()
        return percentile(values, pct) if values else math.nan

    def failure_report(self, limit: int = 10) -> str:
        failed = self.failures
        lines = [d.describe() for d in failed[:limit]]
        more = f"\n… and {len(failed) - limit} more" if len(failed) > limit else ""
        return f"{len(failed)} of {len(self.deliveries)} questions failed:\n" + "\n".join(lines) + more


async def run_load(
    twin: Twin, plans: Sequence[Assignment], *, timeout: float = 30.0, tracker: ReplyTracker | None = None
) -> LoadResult:
    """Every user of ``plans`` asks their questions in order, all users at once.

    Pass a ``tracker`` (already entered) to watch progress from elsewhere, e.g. to time
    other actions against ``tracker.answered``.
    """

    async def user_session(plan: Assignment, tracker: ReplyTracker) -> list[Delivery]:
        return [
            await ask(twin, tracker, plan.user, plan.channel, question, timeout=timeout)
            for question in plan.questions
        ]

    async def all_sessions(tracker: ReplyTracker) -> LoadResult:
        sessions = await asyncio.gather(*(user_session(plan, tracker) for plan in plans))
        return LoadResult([d for session in sessions for d in session], tracker)

    if tracker is not None:
        return await all_sessions(tracker)
    async with ReplyTracker(twin) as own:
        return await all_sessions(own)
