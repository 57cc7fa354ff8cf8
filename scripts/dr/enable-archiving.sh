#!/usr/bin/env bash
# Continuous WAL archiving for a PostgreSQL data directory (docs/runbooks.md, "PITR restore").
# Usage: scripts/dr/enable-archiving.sh <data-dir> <archive-dir> [archive-timeout-seconds]
# Appends the settings to postgresql.conf; restart the server afterwards (archive_mode needs it).
# archive_timeout bounds the data a lost primary can take with it (RPO): a partly filled WAL
# segment is archived at the latest after that many seconds. 60 s keeps the RPO well under 5 min.
set -euo pipefail
data_dir=${1:?data directory}
archive_dir=${2:?archive directory}
timeout=${3:-60}
mkdir -p "$archive_dir"
cat >>"$data_dir/postgresql.conf" <<CONF
# --- WAL archiving (scripts/dr/enable-archiving.sh) ---
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $archive_dir/%f && cp %p $archive_dir/%f.tmp && mv $archive_dir/%f.tmp $archive_dir/%f'
archive_timeout = $timeout
CONF
echo "archiving to $archive_dir (archive_timeout ${timeout}s); restart PostgreSQL to apply"
