"""A burst of moderator edits through the real service, for the SIGKILL durability test.

Prints `committed <fact_id> <revision>` after each edit returns, i.e. after its transaction
committed; the test kills this process at a random moment and checks every printed edit.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace

from knowledge.models import Actor, Bilingual
from knowledge.service import KnowledgeService


async def main(database: str, count: int) -> None:
    service = await KnowledgeService.open(database)
    facts = service.facts()
    for i in range(count):
        fact = facts[i % len(facts)]
        current = service.fact(fact.id) or fact
        edited = replace(
            current, statement=Bilingual(f"{fact.statement.en} [edit {i}]", current.statement.fr)
        )
        revision = await service.update_fact(edited, Actor(f"mod-{i % 3}", "burst"), f"burst {i}")
        print(f"committed {fact.id} {revision} {i}", flush=True)
    await service.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
