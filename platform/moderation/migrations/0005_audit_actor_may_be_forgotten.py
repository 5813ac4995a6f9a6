"""The audit log stays append-only, but a deleted account's link may become empty.

Deleting a user sets AuditEntry.actor to NULL (the entry keeps actor_name); every other
change, and every delete, is still refused.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION moderation_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION moderation_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("moderation", "0004_safeguardingconcern")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
