"""factory_boy factories for the models tests build on."""

from __future__ import annotations

import uuid

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from dialogues.models import Comment, Dialogue, Idea
from tenants.models import Signup

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


class SignupFactory(factory.django.DjangoModelFactory[Signup]):
    """A sign-up as the form leaves it: queued, with the admin's password already hashed."""

    class Meta:
        model = Signup

    organisation = factory.Sequence(lambda n: f"Test Organisation {n}")
    slug = factory.LazyFunction(lambda: f"t-{uuid.uuid4().hex[:12]}")
    admin_email = factory.LazyAttribute(lambda s: f"admin@{s.slug}.example.org")
    password_hash = factory.LazyFunction(lambda: make_password(PASSWORD))
    plan = "community"
    submit_key = factory.LazyFunction(lambda: uuid.uuid4().hex)
