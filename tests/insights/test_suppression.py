"""No rendering of a demographic breakdown ever shows a group of fewer than five people."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.charts import bar_chart
from insights.suppression import MIN_GROUP, OTHER, groups_shown

answers = st.dictionaries(
    keys=st.one_of(
        st.sampled_from(["Knowsley", "Sefton", "Wirral", "St Helens", "Liverpool", "Other"]),
        st.text(min_size=1, max_size=12),
    ),
    values=st.integers(min_value=0, max_value=40),
    max_size=12,
)


@given(answers)
def test_every_group_shown_has_five_or_more_and_nobody_is_lost(counts: dict[str, int]) -> None:
    shown = groups_shown(counts)
    total = sum(counts.values())
    if total < MIN_GROUP:
        assert shown == []
        return
    assert all(count >= MIN_GROUP for _, count in shown)
    assert sum(count for _, count in shown) == total
    # A real answer is shown under its own name only with its own true count.
    for label, count in shown:
        if label != OTHER:
            assert counts[label] == count
    assert len({label for label, _ in shown}) == len(shown)


@settings(max_examples=60, deadline=None)
@given(answers)
def test_the_rendered_chart_and_table_show_no_count_under_five(counts: dict[str, int]) -> None:
    chart = bar_chart(
        title="Participants by answer: Which borough?",
        groups=groups_shown(counts),
        unit="participants",
        label="Answer",
    )
    html = render_to_string("insights/_chart.html", {"chart": chart})
    table_counts = [int(n) for n in re.findall(r"<td>(\d+)</td></tr>", html)]
    # The count drawn at the end of each bar (the names are drawn right-aligned).
    bar_counts = [int(n) for n in re.findall(r'font-size="13">(\d+)</text>', html)]
    described = [int(n) for n in re.findall(r"the largest is .*?, (\d+)\.", html)]
    assert table_counts == bar_counts
    for count in table_counts + bar_counts + described:
        assert count >= MIN_GROUP


def test_a_worked_example() -> None:
    counts = {"Knowsley": 12, "Sefton": 6, "Wirral": 3, "St Helens": 1, "Halton": 0}
    # Wirral and St Helens make four: still too few, so Sefton (the smallest shown) joins.
    assert groups_shown(counts) == [("Knowsley", 12), (OTHER, 10)]
    assert groups_shown({"Knowsley": 12, "Sefton": 6, "Wirral": 3, "St Helens": 2}) == [
        ("Knowsley", 12),
        ("Sefton", 6),
        (OTHER, 5),
    ]
    assert groups_shown({"Knowsley": 4}) == []
