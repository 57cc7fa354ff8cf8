#!/usr/bin/env bash
# Prepares a point-in-time restore: a copy of a base backup that, when started, replays the
# archived WAL up to a restore point or a time and then promotes itself to a primary.
# Usage: scripts/dr/restore-pitr.sh <backup-dir> <archive-dir> <new-data-dir> --name <restore-point>
#        scripts/dr/restore-pitr.sh <backup-dir> <archive-dir> <new-data-dir> --time '2026-12-03 07:30:00+00'
# Then: pg_ctl start -D <new-data-dir> -w; wait until `select pg_is_in_recovery()` is false.
set -euo pipefail
backup_dir=${1:?base backup directory}
archive_dir=${2:?WAL archive directory}
data_dir=${3:?new data directory}
kind=${4:?--name or --time}
target=${5:?restore point name or timestamp}
case "$kind" in
  --name) setting="recovery_target_name = '$target'" ;;
  --time) setting="recovery_target_time = '$target'" ;;
  *) echo "expected --name or --time, got $kind" >&2; exit 2 ;;
esac
if [ -e "$data_dir" ] && [ -n "$(ls -A "$data_dir")" ]; then
  echo "$data_dir is not empty" >&2
  exit 1
fi
mkdir -p "$data_dir"
cp -a "$backup_dir/." "$data_dir/"
chmod 700 "$data_dir"
rm -f "$data_dir/postmaster.pid"
cat >>"$data_dir/postgresql.auto.conf" <<CONF
# --- point-in-time restore (scripts/dr/restore-pitr.sh) ---
restore_command = 'cp $archive_dir/%f %p'
$setting
recovery_target_inclusive = on
recovery_target_action = 'promote'
# The restored server must not archive into the old primary's archive: switch it on again
# (enable-archiving.sh with a new directory) once it is the new primary.
archive_mode = off
CONF
touch "$data_dir/recovery.signal"
echo "restore prepared in $data_dir ($setting); start it with pg_ctl start -D $data_dir -w"
