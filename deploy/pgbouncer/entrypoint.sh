#!/bin/sh
# Writes pgbouncer.ini and the user list from the environment and the password secret,
# then runs PgBouncer in the foreground. The same script runs in the compose service and
# in the test that starts the production-style stack on Debian's pgbouncer.
set -eu
here=$(dirname "$0")
: "${DB_HOST:?set DB_HOST}" "${DB_NAME:?set DB_NAME}" "${DB_USER:?set DB_USER}"
: "${DB_PASSWORD_FILE:?set DB_PASSWORD_FILE to the file holding the password}"
DB_PORT=${DB_PORT:-5432}
LISTEN_ADDR=${LISTEN_ADDR:-0.0.0.0}
LISTEN_PORT=${LISTEN_PORT:-6432}
POOL_SIZE=${POOL_SIZE:-40}
RUN_DIR=${RUN_DIR:-/run/pgbouncer}
TEMPLATE=${TEMPLATE:-$here/pgbouncer.ini.template}
mkdir -p "$RUN_DIR"
umask 077
password=$(cat "$DB_PASSWORD_FILE")
# The user list holds the password itself: PgBouncer then answers clients by SCRAM and signs
# in to PostgreSQL with it. Quotes in a value are doubled, as the file format asks.
printf '"%s" "%s"\n' "$(printf %s "$DB_USER" | sed 's/"/""/g')" \
  "$(printf %s "$password" | sed 's/"/""/g')" > "$RUN_DIR/userlist.txt"
sed -e "s|@DB_HOST@|$DB_HOST|" -e "s|@DB_PORT@|$DB_PORT|" -e "s|@DB_NAME@|$DB_NAME|g" \
    -e "s|@LISTEN_ADDR@|$LISTEN_ADDR|" -e "s|@LISTEN_PORT@|$LISTEN_PORT|" \
    -e "s|@POOL_SIZE@|$POOL_SIZE|" -e "s|@RUN_DIR@|$RUN_DIR|g" \
    "$TEMPLATE" > "$RUN_DIR/pgbouncer.ini"
exec pgbouncer "$RUN_DIR/pgbouncer.ini"
