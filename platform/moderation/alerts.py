"""Safeguarding alert deliveries: one recorded email per lead, and whether alerts get through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from psycopg import sql

from accounts.models import User
from moderation.models import AlertDelivery, SafeguardingConcern

# The error recorded when a concern was raised and no lead could be told.
NO_REACHABLE_LEAD = "NoReachableLead"
# Longer than the delivery task's time limit: a worker that died mid-send frees it by then.
CLAIM = timedelta(minutes=2)
# A pending delivery this far past due lost its task message; beat sends it again.
OVERDUE = timedelta(minutes=5)
# Open concerns this recent that nobody has been told about yet are tried again by beat.
RECENT = timedelta(days=7)
# A retry may arrive a moment before its recorded due time (clocks, rounding).
SKEW = timedelta(seconds=5)
# Schemas per cross-tenant query in the staff console.
SCHEMAS_PER_QUERY = 200


def reachable_leads() -> QuerySet[User]:
    """Active safeguarding leads with an email address."""
    return User.objects.filter(role=User.Role.SAFEGUARDING, is_active=True).exclude(email="")


# Writes


def alert_deliveries_plan(*, concern_id: int) -> list[int]:
    """Records one pending delivery per reachable lead not yet recorded for this concern (or,
    with no lead to tell, that nobody was told); returns the deliveries due to be sent."""
    now = timezone.now()
    with transaction.atomic():
        concern = SafeguardingConcern.objects.select_for_update().filter(pk=concern_id).first()
        if concern is None:
            return []
        lead_ids = list(reachable_leads().values_list("pk", flat=True))
        deliveries = AlertDelivery.objects.filter(concern=concern)
        if lead_ids:
            AlertDelivery.objects.bulk_create(
                [
                    AlertDelivery(concern=concern, lead_id=pk, next_attempt_at=now)
                    for pk in lead_ids
                ],
                ignore_conflicts=True,
            )
        elif not deliveries.exists():
            AlertDelivery.objects.create(
                concern=concern,
                status=AlertDelivery.Status.FAILED,
                last_error=NO_REACHABLE_LEAD,
                last_attempt_at=now,
            )
        return list(deliveries.filter(_due(now)).values_list("pk", flat=True))


def _due(now: datetime) -> Q:
    return Q(status=AlertDelivery.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def alert_delivery_claim(*, delivery_id: int) -> AlertDelivery | None:
    """Takes a due delivery for one attempt, counted before anything is sent; None when it
    was sent, has failed for good, or another worker holds it."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("lead")
            .filter(_due(now + SKEW), pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.claimed_until = now + CLAIM
        delivery.save(update_fields=["attempts", "last_attempt_at", "claimed_until"])
    return delivery


def alert_delivery_sent(*, delivery: AlertDelivery) -> None:
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=AlertDelivery.Status.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        last_error="",
    )


def alert_delivery_failed(
    *, delivery: AlertDelivery, error: str, retry_in: timedelta | None
) -> None:
    """Records a failed attempt: pending again (due after retry_in) or, without, failed."""
    retrying = retry_in is not None
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=AlertDelivery.Status.PENDING if retrying else AlertDelivery.Status.FAILED,
        last_error=error[:80],
        claimed_until=None,
        next_attempt_at=timezone.now() + (retry_in or timedelta()),
    )


# Reads


def concerns_unalerted() -> list[int]:
    """Recent open concerns with no delivery sent or under way: the fan-out's message was
    lost, or every lead failed and another may be reachable now."""
    now = timezone.now()
    return list(
        SafeguardingConcern.objects.filter(
            handled_at__isnull=True, created_at__gte=now - RECENT, created_at__lt=now - OVERDUE
        )
        .exclude(
            alert_deliveries__status__in=[AlertDelivery.Status.SENT, AlertDelivery.Status.PENDING]
        )
        .values_list("pk", flat=True)
    )


def deliveries_overdue() -> list[int]:
    """Pending deliveries well past due: their task message was lost."""
    now = timezone.now()
    return list(
        AlertDelivery.objects.filter(_due(now), next_attempt_at__lt=now - OVERDUE).values_list(
            "pk", flat=True
        )
    )


@dataclass(frozen=True)
class AlertHealth:
    """Whether safeguarding alerts get through on one site (nothing about any concern)."""

    failing: bool  # an open concern has an alert that could not be delivered
    lead_reachable: bool

    @property
    def ok(self) -> bool:
        return self.lead_reachable and not self.failing


def _failed_for_open_concerns() -> QuerySet[AlertDelivery]:
    return AlertDelivery.objects.filter(
        status=AlertDelivery.Status.FAILED, concern__handled_at__isnull=True
    )


def alert_health() -> AlertHealth:
    """For the current site."""
    return AlertHealth(
        failing=_failed_for_open_concerns().exists(),
        lead_reachable=reachable_leads().exists(),
    )


def leads_failing() -> list[str]:
    """Usernames of leads an alert about an open concern could not reach."""
    return sorted(
        set(
            _failed_for_open_concerns()
            .filter(lead__isnull=False)
            .values_list("lead__username", flat=True)
        )
    )


def alert_health_by_schema(*, schemas: Iterable[str]) -> dict[str, AlertHealth]:
    """Alert health of many sites for the staff console, one query per 200 schemas.

    Schemas without the delivery table (not migrated yet) are left out.
    """
    wanted = sorted(set(schemas))
    if not wanted:
        return {}
    delivery_table = AlertDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = %s AND n.nspname = ANY(%s)",
            [delivery_table, wanted],
        )
        ready = sorted(row[0] for row in cursor.fetchall())
    health: dict[str, AlertHealth] = {}
    for start in range(0, len(ready), SCHEMAS_PER_QUERY):
        query = sql.SQL(" UNION ALL ").join(
            _health_query(schema) for schema in ready[start : start + SCHEMAS_PER_QUERY]
        )
        with connection.cursor() as cursor:
            cursor.execute(query.as_string(connection.connection))
            for schema, failing, reachable in cursor.fetchall():
                health[schema] = AlertHealth(failing=failing, lead_reachable=reachable)
    return health


def _health_query(schema: str) -> sql.Composed:
    """The same questions as alert_health(), asked of one schema by name."""
    return sql.SQL(
        "SELECT {name}, "
        "EXISTS (SELECT 1 FROM {schema}.{deliveries} d JOIN {schema}.{concerns} c "
        "ON c.id = d.concern_id WHERE d.status = {failed} AND c.handled_at IS NULL), "
        "EXISTS (SELECT 1 FROM {schema}.{users} u "
        "WHERE u.role = {lead} AND u.is_active AND u.email <> '')"
    ).format(
        name=sql.Literal(schema),
        schema=sql.Identifier(schema),
        deliveries=sql.Identifier(AlertDelivery._meta.db_table),
        concerns=sql.Identifier(SafeguardingConcern._meta.db_table),
        users=sql.Identifier(User._meta.db_table),
        failed=sql.Literal(AlertDelivery.Status.FAILED.value),
        lead=sql.Literal(User.Role.SAFEGUARDING.value),
    )
