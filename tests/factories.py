"""factory_boy factories for the models tests build on."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from dialogues.models import Comment, Dialogue, Idea

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"Resident{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username.lower()}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Residents have confirmed their email unless made with verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


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


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "I agree, and the library could host it."
