"""factory_boy factories for the models tests build on."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import User
from dialogues.models import Dialogue, Idea

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"Resident{n}")
    password = factory.django.Password(PASSWORD)


class DialogueFactory(factory.django.DjangoModelFactory[Dialogue]):
    class Meta:
        model = Dialogue

    title = factory.Sequence(lambda n: f"Dialogue {n}")
    slug = factory.Sequence(lambda n: f"dialogue-{n}")
    question = "What would make your area feel safer?"
    state = Dialogue.State.OPEN
    opens_at = factory.LazyFunction(timezone.now)


class IdeaFactory(factory.django.DjangoModelFactory[Idea]):
    class Meta:
        model = Idea

    dialogue = factory.SubFactory(DialogueFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Idea {n}")
    body = "A place to go after school."
