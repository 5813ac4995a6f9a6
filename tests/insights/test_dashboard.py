"""The insights dashboard: its figures match the database, staff see only what their role
allows, and no demographic group under five people is ever shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import DemographicAnswer, DemographicQuestion, User
from dialogues.models import Comment, Dialogue, Gathering, Idea, Rating, StatusChange, Tag
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _figure(html: str, term: str) -> str:
    """The value shown beside a key figure's name."""
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)
    assert found, f"no figure {term!r} on the page"
    return unescape(found.group(1)).strip()


def _table_total(html: str, caption: str) -> int:
    """The sum of the counts in the data table with this caption."""
    start = html.index(f'<caption class="visually-hidden">{caption}</caption>')
    body = html[start : html.index("</table>", start)]
    return sum(int(n) for n in re.findall(r"<td>(\d+)</td></tr>", body))


@pytest.fixture
def busy_dialogue(tenant_a: Tenant) -> Dialogue:
    """A dialogue with some of everything: posts in each moderation state, ratings, tags,
    official responses, staff posts, and residents who answered the sign-up questions."""
    with tenant_context(tenant_a):
        now = timezone.now()
        dialogue = DialogueFactory.create(opens_at=now - timedelta(days=6))
        residents = [UserFactory.create() for _ in range(8)]
        staff = UserFactory.create(role=User.Role.ADMIN)
        lighting, buses = (
            Tag.objects.create(name="Lighting", slug="lighting-x"),
            Tag.objects.create(name="Buses", slug="buses-x"),
        )
        ideas = [IdeaFactory.create(dialogue=dialogue, author=residents[i]) for i in range(5)]
        for idea in ideas[:3]:
            idea.tags.add(lighting)
        ideas[3].tags.add(buses)
        IdeaFactory.create(dialogue=dialogue, author=residents[5], visibility=Visibility.HIDDEN)
        IdeaFactory.create(
            dialogue=dialogue,
            author=residents[6],
            visibility=Visibility.HELD,
            held_at=now - timedelta(hours=5),
        )
        IdeaFactory.create(dialogue=dialogue, author=residents[0], withdrawn_at=now)
        for index in range(6):
            CommentFactory.create(idea=ideas[0], author=residents[index % 4])
        Idea.objects.filter(pk=ideas[0].pk).update(comment_count=6)
        CommentFactory.create(idea=ideas[1], author=residents[7], visibility=Visibility.REJECTED)
        # Reviewed after holds of 2 and 4 hours: a median of 3 hours.
        CommentFactory.create(
            idea=ideas[1],
            author=residents[2],
            held_at=now - timedelta(hours=10),
            reviewed_at=now - timedelta(hours=8),
        )
        CommentFactory.create(
            idea=ideas[2],
            author=residents[3],
            held_at=now - timedelta(hours=10),
            reviewed_at=now - timedelta(hours=6),
        )
        CommentFactory.create(idea=ideas[1], author=staff, is_official=True)
        # Said at a youth club and typed in by staff: no author, not a participant.
        session = Gathering.objects.create(
            dialogue=dialogue, place="Kirkby youth club", held_on=now.date(), entered_by=staff
        )
        CommentFactory.create(idea=ideas[3], author=None, gathering=session, entered_by=staff)
        StatusChange.objects.create(
            idea=ideas[2], status="accepted", explanation="We will do it.", changed_by=staff
        )
        Idea.objects.filter(pk=ideas[1].pk).update(responded_at=_after(ideas[1], hours=2))
        Idea.objects.filter(pk=ideas[2].pk).update(responded_at=_after(ideas[2], hours=6))
        for index, resident in enumerate(residents[:5]):
            Rating.objects.create(idea=ideas[1], user=resident, stars=4 + index % 2)
        question = DemographicQuestion.objects.create(
            text="Which borough do you live in?", choices="Knowsley\nSefton\nWirral"
        )
        # Knowsley 5, Sefton 2, Wirral 1 among the eight residents who took part.
        for resident, answer in zip(
            residents, ["Knowsley"] * 5 + ["Sefton"] * 2 + ["Wirral"], strict=True
        ):
            DemographicAnswer.objects.create(user=resident, question=question, answer=answer)
        # Someone who never took part in this dialogue is not counted.
        outsider = UserFactory.create()
        DemographicAnswer.objects.create(user=outsider, question=question, answer="Wirral")
        return dialogue


def _after(idea: Idea, *, hours: int) -> datetime:
    return idea.created_at + timedelta(hours=hours)


def test_the_figures_match_the_database(
    as_role: Callable[[str], Client], tenant_a: Tenant, busy_dialogue: Dialogue
) -> None:
    response = as_role("analyst").get(f"/manage/insights/?dialogue={busy_dialogue.slug}")
    assert response.status_code == 200
    html = response.content.decode()
    with tenant_context(tenant_a):
        published_ideas = Idea.objects.filter(
            dialogue=busy_dialogue, visibility=Visibility.PUBLISHED, withdrawn_at__isnull=True
        )
        published_comments = Comment.objects.filter(
            idea__in=published_ideas, visibility=Visibility.PUBLISHED
        )
        residents = (
            set(Idea.objects.filter(dialogue=busy_dialogue).values_list("author", flat=True))
            | set(
                Comment.objects.filter(idea__dialogue=busy_dialogue).values_list(
                    "author", flat=True
                )
            )
            | set(
                Rating.objects.filter(idea__dialogue=busy_dialogue).values_list("user", flat=True)
            )
        )
        participants = User.objects.filter(pk__in=residents, role=User.Role.RESIDENT).count()
        ratings = Rating.objects.filter(idea__dialogue=busy_dialogue).count()
        assert (published_ideas.count(), published_comments.count()) == (5, 10)
    assert _figure(html, "Participants") == str(participants) == "8"
    assert _figure(html, "Ideas") == str(published_ideas.count())
    assert _figure(html, "Comments") == str(published_comments.count())
    assert _figure(html, "Ratings") == str(ratings)
    assert _figure(html, "In-person sessions") == "1"
    assert _figure(html, "Ideas and comments gathered at sessions") == "1"
    assert _figure(html, "Ideas with a response") == "2 of 5 (40%)"
    assert _figure(html, "Median time to respond") == "4 hours"
    assert _figure(html, "Waiting for a moderator") == "2"
    assert _figure(html, "Median time to first review") == "3 hours"
    # Each chart's table adds up to its key figure.
    assert _table_total(html, "Ideas per day") == 5
    assert _table_total(html, "Comments per day") == 10
    assert _table_total(html, "New participants per day") == 8
    assert _table_total(html, "Ideas per tag (top ten)") == 4
    # Charts are images with a name, drawn here: no third-party script.
    assert html.count('role="img"') >= 6
    assert '<script src="http' not in html


def test_small_groups_are_combined_never_shown(
    as_role: Callable[[str], Client], busy_dialogue: Dialogue
) -> None:
    html = as_role("admin").get(f"/manage/insights/?dialogue={busy_dialogue.slug}").content.decode()
    start = html.index("Participants by answer: Which borough do you live in?")
    section = html[start : html.index("</figure>", start)]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td></tr>", section)
    # Sefton (2) and Wirral (1) are too small: combined with each other they are still three,
    # so they take in Knowsley too; what is shown is one group of eight.
    assert cells == [("Other answers and smaller groups", "8")]
    assert "Sefton" not in section
    assert "Wirral" not in section
    # Age: nobody answered, eight "not answered".
    assert "Not answered" in html


def test_each_role_sees_only_what_it_may(
    as_role: Callable[[str], Client],
    client_for: Callable[..., Client],
    tenant_a: Tenant,
    busy_dialogue: Dialogue,
) -> None:
    url = f"/manage/insights/?dialogue={busy_dialogue.slug}"
    for role in ("admin", "analyst"):
        assert as_role(role).get(url).status_code == 200
        assert (
            as_role(role).get(f"/manage/insights/{busy_dialogue.slug}/report/").status_code == 200
        )
    for role in ("moderator", "safeguarding", ""):
        assert as_role(role).get(url).status_code in (302, 403)
        assert as_role(role).get(
            f"/manage/insights/{busy_dialogue.slug}/report.pdf"
        ).status_code in (
            302,
            403,
        )
    anonymous = client_for(tenant_a).get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_another_site_cannot_see_this_dialogue(
    client_for: Callable[..., Client], tenant_b: Tenant, busy_dialogue: Dialogue
) -> None:
    client = client_for(tenant_b)
    with tenant_context(tenant_b):
        client.force_login(UserFactory.create(role="analyst"))
    response = client.get(f"/manage/insights/?dialogue={busy_dialogue.slug}")
    assert response.status_code == 404
    assert busy_dialogue.title not in response.content.decode()
    assert client.get(f"/manage/insights/{busy_dialogue.slug}/report/").status_code == 404
    assert client.get(f"/manage/insights/{busy_dialogue.slug}/report.pdf").status_code == 404


def test_a_hidden_idea_never_reaches_the_report(
    as_role: Callable[[str], Client], tenant_a: Tenant, busy_dialogue: Dialogue
) -> None:
    with tenant_context(tenant_a):
        hidden = IdeaFactory.create(
            dialogue=busy_dialogue,
            title="Hidden title about a named person",
            visibility=Visibility.HIDDEN,
            comment_count=40,
        )
        Idea.objects.filter(pk=hidden.pk).update(rating_count=10, rating_total=50)
    html = as_role("analyst").get(f"/manage/insights/{busy_dialogue.slug}/report/").content.decode()
    assert "Hidden title about a named person" not in html
    assert "Most discussed" in html


def test_the_report_comes_as_a_pdf(
    as_role: Callable[[str], Client], busy_dialogue: Dialogue
) -> None:
    response = as_role("analyst").get(f"/manage/insights/{busy_dialogue.slug}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{busy_dialogue.slug}-report-'
    )
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000


def test_an_empty_dialogue_says_so(as_role: Callable[[str], Client], tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
    html = as_role("analyst").get(f"/manage/insights/?dialogue={dialogue.slug}").content.decode()
    assert _figure(html, "Participants") == "0"
    assert "No idea has a tag yet." in html
    assert "Not shown, as fewer than five participants answered" in html


def test_cached_figures_never_cross_sites(
    as_role: Callable[[str], Client],
    client_for: Callable[..., Client],
    tenant_b: Tenant,
    busy_dialogue: Dialogue,
) -> None:
    """Each site numbers its dialogues itself: the same id on another site is another
    dialogue, and the figures cached for one are never shown for the other."""
    first = as_role("analyst").get(f"/manage/insights/?dialogue={busy_dialogue.slug}")
    assert _figure(first.content.decode(), "Participants") == "8"
    client = client_for(tenant_b)
    with tenant_context(tenant_b):
        Dialogue.objects.filter(pk=busy_dialogue.pk).delete()
        twin = DialogueFactory.create(pk=busy_dialogue.pk, slug=busy_dialogue.slug)
        client.force_login(UserFactory.create(role="analyst"))
    html = client.get(f"/manage/insights/?dialogue={twin.slug}").content.decode()
    assert _figure(html, "Participants") == "0"
    assert _figure(html, "Ideas") == "0"
