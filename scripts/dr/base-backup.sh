#!/usr/bin/env bash
# A base backup of a running primary, the starting point of any point-in-time restore.
# Usage: scripts/dr/base-backup.sh <connection-url> <backup-dir>
# The WAL written during the backup is streamed into it (-X stream), so the backup is
# consistent on its own; the archive (enable-archiving.sh) carries everything after it.
# Take one daily and keep the archive back to the oldest backup you keep.
set -euo pipefail
url=${1:?connection URL, e.g. postgres://postgres@primary:5432/postgres}
backup_dir=${2:?backup directory (must not exist or be empty)}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
"$bin/pg_basebackup" -d "$url" -D "$backup_dir" -X stream --checkpoint=fast --no-password
"$bin/pg_verifybackup" "$backup_dir"
echo "base backup in $backup_dir"
