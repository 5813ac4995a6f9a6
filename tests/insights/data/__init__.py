"""Resident ideas on seven known topics and paraphrase probes, read from the text files here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogues.models import Dialogue, Idea
from moderation.models import Visibility
from tests.factories import DialogueFactory, UserFactory

HERE = Path(__file__).parent


@dataclass(frozen=True)
class KnownIdea:
    topic: str
    title: str
    body: str


@dataclass(frozen=True)
class Probe:
    expected_title: str
    title: str
    body: str


def _lines(name: str) -> list[str]:
    text = (HERE / name).read_text(encoding="utf-8")
    return [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("# ")
    ]


def known_ideas() -> list[KnownIdea]:
    ideas: list[KnownIdea] = []
    topic = ""
    for line in _lines("ideas.txt"):
        if line.startswith("## "):
            topic = line[3:]
            continue
        title, body = (part.strip() for part in line.split("|"))
        ideas.append(KnownIdea(topic, title, body))
    return ideas


def probes() -> list[Probe]:
    found = []
    for line in _lines("probes.txt"):
        expected, title, body = (part.strip() for part in line.split("|"))
        found.append(Probe(expected, title, body))
    return found


def dialogue_with_known_ideas(*, slug: str, title: str = "What would help?") -> Dialogue:
    """An open dialogue holding every known idea, published, by one resident (in the current
    schema). Idea titles are unique, so tests find ideas by title."""
    dialogue = DialogueFactory.create(slug=slug, title=title)
    author = UserFactory.create(username=f"Writer{slug.replace('-', '')[:20]}")
    Idea.objects.bulk_create(
        Idea(
            dialogue=dialogue,
            author=author,
            title=idea.title,
            body=idea.body,
            visibility=Visibility.PUBLISHED,
        )
        for idea in known_ideas()
    )
    return dialogue
