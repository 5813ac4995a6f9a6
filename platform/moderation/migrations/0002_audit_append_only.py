"""The audit log refuses UPDATE and DELETE at the database, whatever the code does."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION moderation_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_auditentry_append_only
    BEFORE UPDATE OR DELETE ON moderation_auditentry
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS moderation_auditentry_append_only ON moderation_auditentry;
DROP FUNCTION IF EXISTS moderation_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
