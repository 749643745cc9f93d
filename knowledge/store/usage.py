"""Usage data: the question log (with its group commit), unanswered questions, linking, feedback."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from ..models import Actor, Language, RevisionKind
from .conversions import _parse_time, _timestamp
from .core import Db, _PendingQuestion
from .errors import StoreError, UnknownFact, UnknownQuestion
from .facts import FactsMixin
from .rows import FeedbackRow, UnansweredQuestion
from .validation import _check_language

QUESTION_BATCH = 500  # 9 parameters a row, well under SQLite's 32,766 per statement


class UsageMixin(FactsMixin):
    # -- public: the question log and feedback -----------------------------------------------

    async def log_question(
        self,
        text: str,
        normalized: str,
        language: Language,
        answered: bool,
        fact_id: str | None = None,
        score: float | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> int:
        """Record a question as asked and return its id (usage data: not audit-logged).

        Questions arrive in bursts, and one transaction per question made every asker queue
        for the write lock. Questions waiting at the same moment are written together, in
        one transaction (group commit); each caller still gets its own row id back, and
        returns only once its row is committed.
        """
        _check_language(language)
        row = (
            text,
            normalized,
            language,
            int(bool(answered)),
            fact_id,
            score,
            self._now(),
            guild_id,
            channel_id,
        )
        pending = _PendingQuestion(row, asyncio.get_running_loop().create_future())
        self._question_queue.append(pending)
        if self._question_writer is None or self._question_writer.done():
            self._question_writer = asyncio.create_task(self._write_questions())
        return await pending.done

    async def _write_questions(self) -> None:
        while self._question_queue:
            batch, self._question_queue = (
                self._question_queue[:QUESTION_BATCH],
                self._question_queue[QUESTION_BATCH:],
            )
            try:
                ids = await self._insert_questions(batch)
            except BaseException as error:  # every waiting caller hears of it; the writer moves on
                for pending in batch:
                    if not pending.done.done():
                        pending.done.set_exception(
                            error if isinstance(error, Exception) else StoreError(str(error))
                        )
                if not isinstance(error, Exception):
                    raise
                continue
            for pending, question_id in zip(batch, ids, strict=True):
                if not pending.done.done():
                    if isinstance(question_id, StoreError):
                        pending.done.set_exception(question_id)
                    else:
                        pending.done.set_result(question_id)

    async def _insert_questions(self, batch: list[_PendingQuestion]) -> list[int | StoreError]:
        """One transaction, one multi-row INSERT: rows get consecutive ids under the write lock."""
        async with self._transaction() as db:
            wanted = {p.row[4] for p in batch if p.row[4] is not None}
            known: set[str] = set()
            if wanted:
                marks = ",".join("?" * len(wanted))
                known = {
                    r["id"]
                    for r in await self._all(db, f"SELECT id FROM facts WHERE id IN ({marks})", tuple(wanted))
                }
            valid = [p for p in batch if p.row[4] is None or p.row[4] in known]
            new_ids: list[int] = []
            if valid:
                values = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(valid))
                # Ids are taken in row order (under the write lock, or from PostgreSQL's sequence in
                # one statement), so the sorted ids match the rows; RETURNING itself promises no order.
                rows = await self._all(
                    db,
                    "INSERT INTO questions_asked (text, normalized, language, answered, fact_id, score, asked_at,"
                    f" guild_id, channel_id) VALUES {values} RETURNING id",
                    tuple(value for p in valid for value in p.row),
                )
                new_ids = sorted(int(row[0]) for row in rows)
        ids = iter(new_ids)
        return [
            next(ids) if p.row[4] is None or p.row[4] in known else UnknownFact(str(p.row[4])) for p in batch
        ]

    async def unanswered(self, since: datetime | None = None, limit: int = 10) -> list[UnansweredQuestion]:
        """Open unanswered questions grouped by normalized text, most frequent first."""
        async with self._reading() as db:
            rows = await self._all(
                db,
                """
                SELECT grouped.normalized, grouped.asked, grouped.last_asked, latest.id, latest.text, latest.language
                  FROM (SELECT normalized, COUNT(*) AS asked, MAX(asked_at) AS last_asked, MAX(id) AS latest_id
                          FROM questions_asked
                         WHERE answered = 0 AND resolved_fact_id IS NULL AND asked_at >= ?
                         GROUP BY normalized) AS grouped
                  JOIN questions_asked AS latest ON latest.id = grouped.latest_id
                 ORDER BY grouped.asked DESC, grouped.last_asked DESC, grouped.normalized
                 LIMIT ?
                """,
                (_timestamp(since) if since else "", limit),
            )
        return [
            UnansweredQuestion(
                text=row["text"],
                normalized=row["normalized"],
                count=row["asked"],
                last_asked=_parse_time(row["last_asked"]),
                language=row["language"],
                question_id=row["id"],
            )
            for row in rows
        ]

    async def link_question_to_fact(
        self, question: int | str, fact_id: str, language: Language, text: str, actor: Actor
    ) -> int:
        """Answer an unanswered question: add its wording to the fact (a 'variant' revision) and mark
        every open log row with the same normalized text as resolved, so it leaves `unanswered()`.

        `question` is a question id from the log or a normalized text. Returns the fact's revision.
        """
        _check_language(language)
        wording = text.strip()
        async with self._transaction() as db:
            normalized = question if isinstance(question, str) else await self._normalized_of(db, question)
            revision = await self._modify_in(
                db,
                fact_id,
                actor,
                lambda current: replace(current, questions=current.questions.with_added(language, wording)),
                action="fact.variant.add",
                reason="linked from an unanswered question",
                kind=RevisionKind.VARIANT,
                details={"language": language, "text": wording},
            )
            now = self._now()
            cursor = await db.execute(
                """
                UPDATE questions_asked SET resolved_fact_id = ?, resolved_at = ?
                 WHERE normalized = ? AND answered = 0 AND resolved_fact_id IS NULL
                """,
                (fact_id, now, normalized),
            )
            details = {"normalized": normalized, "questions_resolved": cursor.rowcount, "revision": revision}
            await self._audit(db, actor, "question.link", fact_id, details, now)
            return revision

    async def _normalized_of(self, db: Db, question_id: int) -> str:
        normalized = await self._scalar(
            db, "SELECT normalized FROM questions_asked WHERE id = ?", (question_id,)
        )
        if normalized is None:
            raise UnknownQuestion(question_id)
        return str(normalized)

    async def record_feedback(self, question_id: int, user_id: int, vote: int) -> None:
        """One vote per user per answer; voting again replaces the vote."""
        if vote not in (1, -1) or isinstance(vote, bool):
            raise ValueError(f"vote must be +1 or -1, not {vote!r}")
        async with self._transaction() as db:
            await self._normalized_of(db, question_id)  # UnknownQuestion if missing
            await db.execute(
                """
                INSERT INTO feedback (question_id, user_id, vote, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (question_id, user_id) DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at
                """,
                (question_id, user_id, vote, self._now()),
            )

    async def feedback_report(self, limit: int = 10) -> list[FeedbackRow]:
        """Answers people voted on, most downvoted first: where the fact base needs work."""
        async with self._reading() as db:
            rows = await self._all(
                db,
                """
                SELECT q.id, q.text, q.language, q.fact_id,
                       SUM(CASE WHEN f.vote = -1 THEN 1 ELSE 0 END) AS downvotes,
                       SUM(CASE WHEN f.vote = 1 THEN 1 ELSE 0 END) AS upvotes
                  FROM feedback AS f
                  JOIN questions_asked AS q ON q.id = f.question_id
                 GROUP BY q.id
                 ORDER BY downvotes DESC, upvotes ASC, q.id DESC
                 LIMIT ?
                """,
                (limit,),
            )
        return [
            FeedbackRow(
                row["id"], row["text"], row["language"], row["fact_id"], row["downvotes"], row["upvotes"]
            )
            for row in rows
        ]
