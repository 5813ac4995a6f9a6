#!/bin/sh
# Makes the compose file's secrets: the Django secret key and the PostgreSQL and Redis
# passwords, random, in deploy/secrets/. An existing file is kept (changing the database
# password of a running installation is a step of its own; see README "Deploying").
# The directory is readable by its owner only; the files inside are world-readable because
# compose bind-mounts them into containers running as their own unprivileged users.
set -eu
dir=${1:-$(dirname "$0")/secrets}
mkdir -p "$dir"
chmod 700 "$dir"
for name in secret_key postgres_password redis_password; do
  if [ -s "$dir/$name" ]; then
    echo "kept    $dir/$name"
    continue
  fi
  # Letters and digits only: the values go into URLs and config files unquoted elsewhere.
  LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 50 > "$dir/$name"
  chmod 644 "$dir/$name"
  echo "made    $dir/$name"
done
