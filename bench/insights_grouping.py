"""Grouping 5,000 ideas into themes: embedding, clustering and key phrases (target <= 60 s).

Runs against its own database (<name>_bench), which it creates, migrates and fills once. The
ideas are generated from templates on eight topics, so the result can also be scored.
"""

from __future__ import annotations

import os
import random
import sys
import time

from bench.dialogue_page import _bench_database

IDEAS = 5_000
SLUG = "bench-themes"
TARGET_SECONDS = 60.0

# topic: (titles, openers, details, asks). An idea is a title, then an opener, a detail
# and an ask, each picked at random, with places and times filled in.
TOPICS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "lighting": (
        [
            "Fix the street lights",
            "Brighter lamps please",
            "Too dark at night",
            "Light the alley",
            "Broken lamp posts",
            "Lighting for the footpath",
            "LED street lighting",
        ],
        [
            "The street lights on {place} have been out for weeks.",
            "It is pitch black on {place} after {hour}.",
            "Half the lamps near {place} flicker or do not work at all.",
            "Nobody walks past {place} once it gets dark.",
        ],
        [
            "People feel unsafe walking home from the bus.",
            "My kids use their phone torch to get through.",
            "Shift workers come home in complete darkness.",
            "The dark corners attract groups hanging around.",
        ],
        [
            "Please repair the lamps and keep them on all night.",
            "Put in bright LED lights or motion sensor lamps.",
            "Check every street light before winter.",
            "Add lamp posts so there are no dark stretches.",
        ],
    ),
    "youth": (
        [
            "Open the youth club more",
            "Somewhere for teenagers to go",
            "Free activities for kids",
            "Bring back youth workers",
            "After school clubs",
            "A youth hub",
        ],
        [
            "Young people near {place} have nowhere to go in the evenings.",
            "The youth club by {place} shuts at {hour}.",
            "Teenagers get moved on from {place} but there is nothing else to do.",
            "Kids round {place} are bored in the holidays.",
        ],
        [
            "Football, boxing, music and dance sessions would keep them busy.",
            "A warm space with wifi and a kettle is all they ask for.",
            "Youth workers used to make a real difference before the cuts.",
            "Trips and workshops would build their confidence.",
        ],
        [
            "Fund the youth club to open every night.",
            "Run free clubs and sports sessions at weekends.",
            "Let young people help decide what the club offers.",
            "Give teenagers a safe place of their own.",
        ],
    ),
    "policing": (
        [
            "More police on patrol",
            "Tackle knife crime",
            "Stop the drug dealing",
            "Neighbourhood officers we know",
            "Knife amnesty bins",
            "Faster police response",
        ],
        [
            "We never see officers walking round {place} any more.",
            "There was another stabbing near {place} last month.",
            "Dealers sell openly by {place} every evening after {hour}.",
            "Gangs hang around {place} and people are frightened.",
        ],
        [
            "Young people carry knives because they feel unsafe.",
            "Reports of crime are never followed up.",
            "Families of victims are left without support.",
            "County lines gangs are using local children.",
        ],
        [
            "Put regular foot patrols and PCSOs back on the streets.",
            "Teach knife crime awareness in every school.",
            "Install knife surrender bins and CCTV at hotspots.",
            "Build trust between officers and young people.",
        ],
    ),
    "transport": (
        [
            "More frequent buses",
            "Cheaper bus fares",
            "A night bus",
            "Reliable bus service",
            "Safe cycle lanes",
            "Better bus shelters",
        ],
        [
            "The last bus from {place} leaves before {hour}.",
            "Buses to {place} are always late or do not turn up.",
            "There is no direct bus from {place} to the hospital.",
            "The stop at {place} has no shelter or seat.",
        ],
        [
            "Fares are too expensive for students and jobseekers.",
            "People without a car are stuck at home on Sundays.",
            "Shift workers cannot get to work on time.",
            "Cyclists share the road with fast lorries.",
        ],
        [
            "Run buses later in the evening and on Sundays.",
            "Cap fares for young people at two pounds.",
            "Add real time screens and protected cycle lanes.",
            "Connect the buses with the train timetable.",
        ],
    ),
    "parks": (
        [
            "Clean up the park",
            "Fix the playground",
            "More trees and green space",
            "A community garden",
            "Stop the fly tipping",
            "Bins and benches in the park",
        ],
        [
            "The park by {place} is covered in litter every weekend.",
            "The swings at {place} have been broken for a year.",
            "Someone dumped mattresses in the woods behind {place}.",
            "The green near {place} is just mown grass and dog mess.",
        ],
        [
            "Families have nowhere nice to spend the day.",
            "There are not enough bins or benches.",
            "Wildflowers and trees would help bees and birds.",
            "Older people would love somewhere to sit.",
        ],
        [
            "Repair the play equipment and add more bins.",
            "Plant trees and a wildflower meadow.",
            "Start monthly litter picks and a community garden.",
            "Open public toilets and a splash pad in summer.",
        ],
    ),
    "mental health": (
        [
            "Mental health support for young people",
            "Shorter waits for counselling",
            "A crisis cafe",
            "Help for anxiety",
            "Talking therapy",
            "Wellbeing support",
        ],
        [
            "Young people near {place} wait months to see a counsellor.",
            "My friend from {place} waited a year for CAMHS.",
            "There is nowhere to go at {hour} when someone is in crisis.",
            "Lots of people round {place} struggle with anxiety and low mood.",
        ],
        [
            "Schools have no counsellor pupils can see quickly.",
            "Young men rarely ask for help until it is too late.",
            "Loneliness is making older neighbours depressed.",
            "Lockdown left many teenagers anxious to leave home.",
        ],
        [
            "Put a counsellor in every school.",
            "Open a drop in crisis cafe in the evenings.",
            "Let people refer themselves to talking therapy.",
            "Run peer support groups and a text helpline.",
        ],
    ),
    "jobs": (
        [
            "More apprenticeships",
            "Help finding work",
            "Training for young people",
            "Local jobs for local people",
            "CV and interview help",
            "Skills courses",
        ],
        [
            "There are few jobs for school leavers round {place}.",
            "The new warehouse at {place} hires people from miles away.",
            "Adults near {place} cannot apply for jobs online.",
            "The job centre by {place} closes at {hour}.",
        ],
        [
            "Young people need experience to get their first job.",
            "Childcare costs more than a part time wage.",
            "People leaving prison struggle to find work.",
            "Apprentice wages are too low to live on.",
        ],
        [
            "Get local firms to offer paid apprenticeships.",
            "Run free CV writing and interview practice sessions.",
            "Offer courses in construction, care and digital skills.",
            "Set up a weekly job club with an adviser.",
        ],
    ),
    "housing": (
        [
            "Fix the damp in council homes",
            "Affordable housing",
            "Repairs take too long",
            "Stop overcrowding",
            "Better landlords",
            "Homes for young people",
        ],
        [
            "Our flat near {place} has black mould in every room.",
            "Rents around {place} have doubled in five years.",
            "Repairs on the {place} estate take months to be done.",
            "Families near {place} share one bedroom between four.",
        ],
        [
            "Children keep getting chest infections from the damp.",
            "Young people cannot afford to leave home.",
            "Private landlords ignore complaints.",
            "The waiting list for a council house is years long.",
        ],
        [
            "Inspect every home for damp and mould.",
            "Build genuinely affordable homes for local people.",
            "Fine landlords who leave homes in disrepair.",
            "Set deadlines for repairs and stick to them.",
        ],
    ),
}
PLACES = ["Mill Lane", "the high street", "Church Road", "the station", "Victoria Park",
          "the estate", "Green Street", "the leisure centre", "the canal", "King Street",
          "the shopping precinct", "the library", "Oak Avenue", "the retail park"]  # fmt: skip
HOURS = ["six", "seven", "eight", "nine", "ten", "dusk"]


def ideas(count: int, *, seed: int = 7) -> list[tuple[str, str, str]]:
    """(topic, title, body) for `count` generated ideas, the same every run."""
    rng = random.Random(seed)  # noqa: S311  (sample text, not secrets)
    topics = sorted(TOPICS)
    out = []
    for n in range(count):
        topic = topics[n % len(topics)]
        titles, openers, details, asks = TOPICS[topic]
        body = " ".join(
            [
                rng.choice(openers).format(place=rng.choice(PLACES), hour=rng.choice(HOURS)),
                rng.choice(details),
                rng.choice(asks),
            ]
        )
        out.append((topic, rng.choice(titles), body))
    return out


def _fill() -> None:
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from dialogues.models import Dialogue, Idea
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="bench").first() or tenant_create(
        name="Bench", slug="bench"
    )
    call_command("migrate_schemas", "--schema=bench", verbosity=0)
    with tenant_context(tenant):
        if Dialogue.objects.filter(slug=SLUG).exists():
            return
        print(f"filling: {IDEAS} generated ideas on {len(TOPICS)} topics", flush=True)
        dialogue = Dialogue.objects.create(
            slug=SLUG, title="Themes bench", question="What would help?", state="open"
        )
        authors = User.objects.bulk_create(User(username=f"ThemeWriter{n}") for n in range(200))
        # bulk_create sends no signals, so nothing is embedded before the timed run.
        Idea.objects.bulk_create(
            Idea(dialogue=dialogue, author=authors[n % len(authors)], title=title, body=body)
            for n, (_, title, body) in enumerate(ideas(IDEAS))
        )


def main() -> int:
    _bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    import django

    django.setup()
    _fill()
    from django_tenants.utils import tenant_context
    from sklearn.metrics import adjusted_rand_score

    from dialogues.models import Dialogue
    from insights import services
    from insights.embedding import _get_encoder
    from insights.models import Embedding, Theme, ThemeMember, ThemeRun
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug="bench")):
        dialogue = Dialogue.objects.get(slug=SLUG)
        # Made in order by bulk_create: the n-th idea by id is the n-th generated.
        pks = dialogue.ideas.order_by("pk").values_list("pk", flat=True)
        topic_of = {pk: topic for pk, (topic, _, _) in zip(pks, ideas(IDEAS), strict=True)}
        # Cold: no stored vectors, no themes. The model loads before the clock starts, as
        # it has in a worker that has run anything before.
        Embedding.objects.filter(dialogue=dialogue).delete()
        Theme.objects.filter(dialogue=dialogue).delete()
        ThemeRun.objects.filter(dialogue=dialogue).delete()
        _get_encoder()
        timings = {}
        for label in ("cold (embed everything)", "warm (vectors stored)"):
            run = services.theme_run_request(dialogue=dialogue, by=None)
            started = time.perf_counter()
            finished = services.theme_run_execute(run_id=run.pk)
            timings[label] = time.perf_counter() - started
            if finished is None or finished.state != ThemeRun.State.DONE:
                raise SystemExit(f"the run failed: {finished.error if finished else 'gone'}")
        placed = dict(
            ThemeMember.objects.filter(theme__dialogue=dialogue).values_list("idea_id", "theme_id")
        )
        themes = list(Theme.objects.filter(dialogue=dialogue).order_by("-size"))
        score = adjusted_rand_score(
            [topic_of[pk] for pk in sorted(placed)], [placed[pk] for pk in sorted(placed)]
        )
    cold, warm = timings["cold (embed everything)"], timings["warm (vectors stored)"]
    print(f"grouping {IDEAS} ideas (in-process, as the worker's task runs it):")
    for label, seconds in timings.items():
        print(f"  {label:<26} {seconds:6.1f} s")
    print(
        f"  of which embedding          {cold - warm:6.1f} s ({IDEAS / (cold - warm):.0f} ideas/s)"
    )
    print(f"  {len(themes)} themes, adjusted Rand index vs the {len(TOPICS)} topics: {score:.2f}")
    for theme in themes[:10]:
        print(f"    {theme.size:5d}  {theme.label}: {', '.join(theme.key_phrases)}")
    print(
        f"target: cold <= {TARGET_SECONDS:.0f} s: {'met' if cold <= TARGET_SECONDS else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
