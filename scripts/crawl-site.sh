#!/bin/sh
# Scheduled crawl of one registry site (for cron): a lock so two runs of a site never overlap,
# an incremental crawl state, a job directory to resume after a pause, and one feed per run.
#
#   scripts/crawl-site.sh SITE_ID [scrapy crawl options...]
#
# Environment: NOTICES_HOME holds locks/, state/, jobs/, output/, logs/ (default:
# $XDG_DATA_HOME/jiwei-notices, i.e. ~/.local/share/jiwei-notices; never the repository);
# SCRAPY (default: .venv/bin/scrapy of the repository). Exit status: scrapy's, or 75 when
# another run of the same site still holds the lock. docs/scheduling.md says what each file is.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 SITE_ID [scrapy crawl options...]" >&2
    exit 64
fi
site=$1
shift
case $site in
    *[!A-Za-z0-9_.-]*|'') echo "$0: bad site id: $site" >&2; exit 64 ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${NOTICES_HOME:-}" ] && [ -z "${XDG_DATA_HOME:-}" ] && [ -z "${HOME:-}" ]; then
    echo "$0: set NOTICES_HOME (or HOME) to say where crawl files go" >&2
    exit 64
fi
home=${NOTICES_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/jiwei-notices}
scrapy=${SCRAPY:-$repo/.venv/bin/scrapy}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$home/locks" "$home/state" "$home/jobs" "$home/output/$site" "$home/logs/$site"

exec 9>"$home/locks/$site.lock"
if ! flock -n 9; then
    echo "$0: a crawl of $site is still running (lock $home/locks/$site.lock); skipped" >&2
    exit 75
fi

cd "$repo"
"$scrapy" crawl "$site" \
    -o "$home/output/$site/$site-$stamp.jsonl" \
    -s NOTICES_STATE_PATH="$home/state/{site_id}.sqlite" \
    -s JOBDIR="$home/jobs/$site" \
    -s LOG_FILE="$home/logs/$site/$site-$stamp.log" \
    "$@"
