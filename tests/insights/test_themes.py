"""Themes: grouping that finds the known topics, progress, staff edits that survive a re-run,
failures that keep the last themes, and pages only analysts and admins of the site can see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from sklearn.metrics import adjusted_rand_score

from accounts.models import User
from dialogues.models import Dialogue, Idea
from insights import services
from insights.models import Embedding, Theme, ThemeMember, ThemeRun
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from tests.insights.data import dialogue_with_known_ideas, known_ideas

pytestmark = pytest.mark.django_db


def _group(dialogue: Dialogue, by: User | None = None) -> ThemeRun:
    """One grouping through the same services the worker's task calls."""
    run = services.theme_run_request(dialogue=dialogue, by=by)
    assert run.state == ThemeRun.State.QUEUED
    finished = services.theme_run_execute(run_id=run.pk)
    assert finished is not None
    return finished


def _theme_of_titles(dialogue: Dialogue) -> dict[str, int]:
    return dict(
        ThemeMember.objects.filter(theme__dialogue=dialogue, idea__isnull=False).values_list(
            "idea__title", "theme_id"
        )
    )


def _majority_theme(placed: dict[str, int], topic: str) -> tuple[int, float]:
    titles = [idea.title for idea in known_ideas() if idea.topic == topic]
    counts = Counter(placed[title] for title in titles)
    theme_id, n = counts.most_common(1)[0]
    return theme_id, n / len(titles)


@pytest.fixture
def known(tenant_a: Tenant) -> Dialogue:
    with tenant_context(tenant_a):
        return dialogue_with_known_ideas(slug="known-topics")


def test_grouping_finds_the_known_topics(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        run = _group(known)
        assert run.state == ThemeRun.State.DONE
        assert run.total_count == run.done_count == len(known_ideas())
        assert run.percent == 100
        placed = _theme_of_titles(known)
        ideas = known_ideas()
        score = adjusted_rand_score([i.topic for i in ideas], [placed[i.title] for i in ideas])
        assert score >= 0.5, score
        themes = list(Theme.objects.filter(dialogue=known))
        assert 5 <= len(themes) <= 12
        assert sum(theme.size for theme in themes) == len(ideas)
        lighting, _ = _majority_theme(placed, "lighting")
        theme = Theme.objects.get(pk=lighting)
        assert any("light" in phrase or "lamp" in phrase for phrase in theme.key_phrases)
        assert theme.label
        assert theme.label != "New theme"
        # The most typical members come first: the representatives are about lighting.
        top = ThemeMember.objects.filter(theme=theme).order_by("-similarity")[:3]
        lighting_titles = {i.title for i in ideas if i.topic == "lighting"}
        assert all(member.idea and member.idea.title in lighting_titles for member in top)


def test_comments_are_grouped_too_but_official_responses_are_not(
    tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        idea = Idea.objects.get(dialogue=known, title="Light up the underpass")
        comment = CommentFactory.create(idea=idea, body="The underpass lamps are all smashed.")
        official = CommentFactory.create(
            idea=idea, body="We have asked the council to repair them.", is_official=True
        )
        _group(known)
        assert ThemeMember.objects.filter(comment=comment).exists()
        assert not ThemeMember.objects.filter(comment=official).exists()


def test_hidden_held_rejected_and_withdrawn_posts_are_never_grouped(
    tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        left_out = [
            IdeaFactory.create(dialogue=known, title="Held lamp idea", visibility=Visibility.HELD),
            IdeaFactory.create(dialogue=known, title="Hidden idea", visibility=Visibility.HIDDEN),
            IdeaFactory.create(
                dialogue=known, title="Rejected idea", visibility=Visibility.REJECTED
            ),
        ]
        withdrawn = IdeaFactory.create(dialogue=known, title="Withdrawn idea")
        Idea.objects.filter(pk=withdrawn.pk).update(withdrawn_at="2026-01-01T00:00Z")
        public = Idea.objects.get(dialogue=known, title="Fix the broken lamps on Mill Lane")
        hidden_comment = CommentFactory.create(
            idea=public, body="A hidden comment", visibility=Visibility.HIDDEN
        )
        run = _group(known)
        assert run.total_count == len(known_ideas())
        grouped = ThemeMember.objects.filter(theme__dialogue=known)
        assert not grouped.filter(idea__in=[*left_out, withdrawn]).exists()
        assert not grouped.filter(comment=hidden_comment).exists()
        assert not Embedding.objects.filter(idea__in=[*left_out, withdrawn]).exists()


def test_a_second_request_while_one_waits_is_refused(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        first = services.theme_run_request(dialogue=known, by=None)
        with pytest.raises(services.ThemeError, match="already waiting or running"):
            services.theme_run_request(dialogue=known, by=None)
        services.theme_run_execute(run_id=first.pk)
        # Once it has finished, grouping again is allowed.
        assert services.theme_run_request(dialogue=known, by=None).state == "queued"


def test_a_failed_run_keeps_the_last_themes_and_says_so_without_any_text(
    tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        before = sorted(Theme.objects.filter(dialogue=known).values_list("pk", "label", "size"))
        members_before = ThemeMember.objects.filter(theme__dialogue=known).count()
        # A damaged stored vector (its text unchanged, so it is trusted) breaks the next run.
        idea = Idea.objects.get(dialogue=known, title="Outdoor gym equipment")
        Embedding.objects.filter(idea=idea).update(vector=b"\x00\x01\x02")
        run = _group(known)
        assert run.state == ThemeRun.State.FAILED
        assert "last grouping that finished" in run.error
        for known_idea in known_ideas():
            assert known_idea.title not in run.error
            assert known_idea.body not in run.error
        after = sorted(Theme.objects.filter(dialogue=known).values_list("pk", "label", "size"))
        assert after == before
        assert ThemeMember.objects.filter(theme__dialogue=known).count() == members_before


def test_staff_rename_merge_and_split_survive_a_re_run(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        _group(known)
        placed = _theme_of_titles(known)
        lighting, _ = _majority_theme(placed, "lighting")
        parks, _ = _majority_theme(placed, "parks")
        jobs, _ = _majority_theme(placed, "jobs")
        transport, _ = _majority_theme(placed, "transport")
        assert len({lighting, parks, jobs, transport}) == 4

        services.theme_rename(theme=Theme.objects.get(pk=lighting), label="Street lighting")
        target = services.theme_merge(
            source=Theme.objects.get(pk=jobs), target=Theme.objects.get(pk=parks)
        )
        assert target.pk == parks
        moved_titles = ["Bus route to the hospital", "Sunday bus service", "Night bus at weekends"]
        moving = ThemeMember.objects.filter(theme_id=transport, idea__title__in=moved_titles)
        assert moving.count() == 3, "the three bus ideas should start in the transport theme"
        split = services.theme_split(
            theme=Theme.objects.get(pk=transport),
            member_ids=list(moving.values_list("pk", flat=True)),
            label="Bus coverage",
        )

        _group(known)
        placed = _theme_of_titles(known)
        # Renamed: the label stays and the lighting ideas are still there.
        renamed = Theme.objects.get(pk=lighting)
        assert renamed.label == "Street lighting"
        assert _majority_theme(placed, "lighting") == (lighting, pytest.approx(1.0, abs=0.2))
        # Merged: the jobs theme is an alias; jobs ideas land in the parks theme again.
        assert Theme.objects.get(pk=jobs).merged_into_id == parks
        jobs_theme, share = _majority_theme(placed, "jobs")
        assert jobs_theme == parks
        assert share >= 0.8
        assert _majority_theme(placed, "parks")[0] == parks
        # Split: the pinned members stayed, under the staff's name.
        split.refresh_from_db()
        assert split.label == "Bus coverage"
        for title in moved_titles:
            member = ThemeMember.objects.get(idea__title=title, idea__dialogue=known)
            assert member.theme_id == split.pk
            assert member.pinned
        # Themes nobody touched were replaced; staff's are all still there.
        assert Theme.objects.filter(pk__in=[lighting, parks, jobs, split.pk]).count() == 4


def test_edits_refuse_bad_input_and_change_nothing(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        _group(known)
        theme = Theme.objects.filter(dialogue=known).first()
        assert theme is not None
        with pytest.raises(Exception, match="Enter a name"):
            services.theme_rename(theme=theme, label="   ")
        with pytest.raises(Exception, match="different theme"):
            services.theme_merge(source=theme, target=theme)
        every = list(ThemeMember.objects.filter(theme=theme).values_list("pk", flat=True))
        with pytest.raises(Exception, match="Leave at least one"):
            services.theme_split(theme=theme, member_ids=every, label="All of it")
        other = ThemeMember.objects.exclude(theme=theme).filter(theme__dialogue=known).first()
        assert other is not None
        with pytest.raises(Exception, match="Tick at least one"):
            services.theme_split(theme=theme, member_ids=[other.pk], label="Stolen")
        theme.refresh_from_db()
        assert not theme.edited_by_staff
        assert Theme.objects.filter(dialogue=known, edited_by_staff=True).count() == 0


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def as_role(client_as: Callable[..., Client], tenant_a: Tenant) -> Callable[[str], Client]:
    def sign_in(role: str) -> Client:
        with tenant_context(tenant_a):
            user = UserFactory.create(role=role)
        return client_as(tenant_a, user)

    return sign_in


@pytest.mark.parametrize(("role", "status"), [("", 403), ("moderator", 403), ("safeguarding", 403)])
def test_residents_and_moderators_cannot_see_themes(
    as_role: Callable[[str], Client], tenant_a: Tenant, known: Dialogue, role: str, status: int
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        theme = Theme.objects.filter(dialogue=known).first()
        assert theme is not None
    client = as_role(role)
    for path in (
        "/manage/insights/themes/?dialogue=known-topics",
        f"/manage/insights/themes/known-topics/{theme.pk}/",
        "/manage/insights/themes/known-topics/progress/",
    ):
        assert client.get(path).status_code == status
    assert client.post("/manage/insights/themes/known-topics/run/").status_code == status
    response = client.post(
        f"/manage/insights/themes/known-topics/{theme.pk}/rename/", {"label": "Mine"}
    )
    assert response.status_code == status
    with tenant_context(tenant_a):
        theme.refresh_from_db()
        assert theme.label != "Mine"


def test_signed_out_visitors_are_sent_to_sign_in(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = client_for(tenant_a).get("/manage/insights/themes/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_see_themes_with_phrases_and_typical_ideas(
    as_role: Callable[[str], Client], tenant_a: Tenant, known: Dialogue, role: str
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        theme = Theme.objects.filter(dialogue=known).order_by("-size").first()
        assert theme is not None
        typical = ThemeMember.objects.filter(theme=theme).order_by("-similarity").first()
        assert typical is not None
        assert typical.idea is not None
    client = as_role(role)
    page = client.get("/manage/insights/themes/?dialogue=known-topics").content.decode()
    assert theme.label in page
    assert theme.key_phrases[0] in page
    assert typical.idea.get_absolute_url() in page
    assert "Group again" in page
    detail = client.get(f"/manage/insights/themes/known-topics/{theme.pk}/").content.decode()
    assert f"{theme.size} contributions" in detail
    assert typical.idea.title in detail


def test_group_again_shows_progress_and_refuses_a_second_run(
    as_role: Callable[[str], Client], tenant_a: Tenant, known: Dialogue
) -> None:
    client = as_role("analyst")
    response = client.post("/manage/insights/themes/known-topics/run/", follow=True)
    page = response.content.decode()
    assert "Grouping has started" in page
    assert "Grouping is waiting to start" in page
    assert 'href="/manage/insights/themes/?dialogue=known-topics">Refresh' in page
    again = client.post("/manage/insights/themes/known-topics/run/", follow=True)
    assert "already waiting or running" in again.content.decode()
    with tenant_context(tenant_a):
        assert ThemeRun.objects.filter(dialogue=known).count() == 1
        run = ThemeRun.objects.get(dialogue=known)
        ThemeRun.objects.filter(pk=run.pk).update(
            state=ThemeRun.State.RUNNING, total_count=200, done_count=50
        )
    fragment = client.get("/manage/insights/themes/known-topics/progress/").content.decode()
    assert "50 of 200" in fragment
    assert 'value="25"' in fragment
    assert 'hx-trigger="every 1s"' in fragment
    with tenant_context(tenant_a):
        services.theme_run_execute(run_id=run.pk)
    done = client.get("/manage/insights/themes/known-topics/progress/").content.decode()
    assert "Grouping finished" in done
    assert "hx-trigger" not in done


def test_edit_forms_change_the_theme_or_explain_why_not(
    as_role: Callable[[str], Client], tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        first, second = Theme.objects.filter(dialogue=known).order_by("-size")[:2]
        members = list(ThemeMember.objects.filter(theme=first).values_list("pk", flat=True))
    client = as_role("analyst")
    base = "/manage/insights/themes/known-topics"

    refused = client.post(f"{base}/{first.pk}/rename/", {"label": ""})
    assert refused.status_code == 400
    assert "The theme was not renamed" in refused.content.decode()
    renamed = client.post(f"{base}/{first.pk}/rename/", {"label": "Things to do"}, follow=True)
    assert "is now called “Things to do”" in renamed.content.decode()

    no_target = client.post(f"{base}/{first.pk}/merge/", {"target": "999999"})
    assert no_target.status_code == 400
    assert "Choose one of the listed themes" in no_target.content.decode()

    no_members = client.post(f"{base}/{first.pk}/split/", {"label": "Part"})
    assert no_members.status_code == 400
    assert "Tick at least one contribution" in no_members.content.decode()
    for odd in ("²", "9" * 5000, "-1"):
        not_a_member = client.post(f"{base}/{first.pk}/split/", {"members": odd, "label": "P"})
        assert not_a_member.status_code == 400
    no_name = client.post(f"{base}/{first.pk}/split/", {"members": members[:2], "label": ""})
    assert no_name.status_code == 400
    # The ticked boxes stay ticked for the second try.
    assert (
        f'value="{members[0]}" id="split-member-{members[0]}" checked' in no_name.content.decode()
    )

    split = client.post(
        f"{base}/{first.pk}/split/", {"members": members[:2], "label": "Part"}, follow=True
    )
    assert "2 contributions moved to “Part”" in split.content.decode()
    merged = client.post(f"{base}/{second.pk}/merge/", {"target": first.pk}, follow=True)
    assert "is merged into “Things to do”" in merged.content.decode()
    with tenant_context(tenant_a):
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.label == "Things to do"
        assert first.label_by_staff
        assert second.merged_into_id == first.pk
        assert ThemeMember.objects.filter(theme=second).count() == 0
        assert Theme.objects.get(dialogue=known, label="Part").size == 2
    # A merged theme has no page of its own any more.
    assert client.get(f"{base}/{second.pk}/").status_code == 404


def test_another_site_never_sees_these_themes(
    client_as: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        theme = Theme.objects.filter(dialogue=known).first()
        assert theme is not None
    with tenant_context(tenant_b):
        analyst_b = UserFactory.create(role="analyst")
    client = client_as(tenant_b, analyst_b)
    listing = client.get("/manage/insights/themes/?dialogue=known-topics")
    assert listing.status_code == 404
    assert theme.label not in listing.content.decode()
    assert client.get(f"/manage/insights/themes/known-topics/{theme.pk}/").status_code == 404
    assert client.post("/manage/insights/themes/known-topics/run/").status_code == 404
    with tenant_context(tenant_b):
        assert not Theme.objects.filter(label=theme.label, pk=theme.pk).exists()


def test_theme_pages_drop_a_post_hidden_after_the_run(
    as_role: Callable[[str], Client], tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        idea = Idea.objects.get(dialogue=known, title="Public toilets in the park")
        theme_id = ThemeMember.objects.get(idea=idea).theme_id
        Idea.objects.filter(pk=idea.pk).update(visibility=Visibility.HIDDEN)
    client = as_role("analyst")
    detail = client.get(f"/manage/insights/themes/known-topics/{theme_id}/").content.decode()
    assert "Public toilets in the park" not in detail
    listing = client.get("/manage/insights/themes/?dialogue=known-topics").content.decode()
    assert "Public toilets in the park" not in listing


def test_a_re_run_of_unchanged_contributions_keeps_theme_addresses(
    tenant_a: Tenant, known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        _group(known)
        before = set(Theme.objects.filter(dialogue=known).values_list("pk", flat=True))
        _group(known)
        after = set(Theme.objects.filter(dialogue=known).values_list("pk", flat=True))
        # Same groups, same rows: a link staff shared to a theme still opens it.
        assert after == before
