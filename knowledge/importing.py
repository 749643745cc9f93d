"""What importing a fact-base document into the store would change, computed without touching it.

Kept apart from the store so the rules can be read (and tested) on their own:

* a fact in the document but not the store is *added*;
* a fact in both whose content differs is *changed*, or *retired* when the document only
  turns it from active to retired;
* an active fact in the store but absent from the document is *retired*, never deleted:
  nothing a moderator wrote is lost by an import;
* sources are added or changed, never removed (old revisions still cite them);
* the final order is the document's, followed by the store-only facts in their old order,
  so exporting right after an import gives back the document byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .models import Fact, FactBase, RevisionKind, Source, Story


@dataclass(slots=True)
class ImportPlan:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_changed: list[str] = field(default_factory=list)
    story_changed: bool = False
    order_changed: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.changed
            or self.retired
            or self.sources_added
            or self.sources_changed
            or self.story_changed
            or self.order_changed
        )

    def summary(self) -> str:
        """One line a moderator can read before confirming."""
        return (
            f"{len(self.added)} fact(s) added, {len(self.changed)} changed, {len(self.retired)} retired, "
            f"{len(self.unchanged)} unchanged; {len(self.sources_added)} source(s) added, "
            f"{len(self.sources_changed)} changed" + ("; story text changed" if self.story_changed else "")
        )

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "retired": len(self.retired),
            "unchanged": len(self.unchanged),
            "sources_added": len(self.sources_added),
            "sources_changed": len(self.sources_changed),
        }


@dataclass(frozen=True, slots=True)
class ImportTarget:
    """The store's content after the import: what apply_import writes."""

    facts: tuple[Fact, ...]  # final order
    sources: tuple[Source, ...]  # final order


def revision_kind(before: Fact, after: Fact) -> RevisionKind:
    """Name a change for the history: a pure status flip is a retire/restore, anything else an edit."""
    if replace(before, status=after.status) == after and before.status != after.status:
        return RevisionKind.RETIRED if after.status == "retired" else RevisionKind.RESTORED
    return RevisionKind.EDITED


def plan_import(
    current_facts: Sequence[Fact],
    current_sources: Sequence[Source],
    current_story: Story | None,
    current_seed_version: str | None,
    new: FactBase,
) -> tuple[ImportPlan, ImportTarget]:
    """Compare the store's content (in its order) with a document; return the plan and the target state."""
    plan = ImportPlan()
    stored = {f.id: f for f in current_facts}
    incoming_ids = {f.id for f in new.facts}

    for fact in new.facts:
        before = stored.get(fact.id)
        if before is None:
            plan.added.append(fact.id)
        elif before == fact:
            plan.unchanged.append(fact.id)
        elif revision_kind(before, fact) == "retired":
            plan.retired.append(fact.id)
        else:
            plan.changed.append(fact.id)

    left_behind: list[Fact] = []
    for fact in current_facts:
        if fact.id in incoming_ids:
            continue
        if fact.active:
            plan.retired.append(fact.id)
            left_behind.append(replace(fact, status="retired"))
        else:
            plan.unchanged.append(fact.id)
            left_behind.append(fact)

    stored_sources = {s.id: s for s in current_sources}
    for source in new.sources:
        before_source = stored_sources.get(source.id)
        if before_source is None:
            plan.sources_added.append(source.id)
        elif before_source != source:
            plan.sources_changed.append(source.id)
    incoming_source_ids = {s.id for s in new.sources}
    kept_sources = [s for s in current_sources if s.id not in incoming_source_ids]

    target = ImportTarget(facts=(*new.facts, *left_behind), sources=(*new.sources, *kept_sources))
    plan.story_changed = current_story != new.story or current_seed_version != new.seed_version
    plan.order_changed = [f.id for f in target.facts if f.id in stored] != [f.id for f in current_facts] or [
        s.id for s in target.sources if s.id in stored_sources
    ] != [s.id for s in current_sources]
    return plan, target
