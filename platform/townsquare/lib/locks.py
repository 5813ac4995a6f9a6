"""Named locks held until the transaction ends, one set per tenant schema."""

from __future__ import annotations

from django.db import connection, transaction


def schema_lock(name: str) -> None:
    """Waits for, then holds until commit or rollback, the lock `name` in this schema.

    A check and the write it allows (counting open dialogues, then opening one) run one at a
    time per site, so two admins clicking at once cannot both take the last place. Locks of
    other sites, with their own schema, never wait on it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("schema_lock needs a transaction: the lock ends with it.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext(%s))", [name]
        )
