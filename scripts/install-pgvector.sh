#!/usr/bin/env bash
# Installs the pgvector PostgreSQL extension (as root, or with sudo). Quick no-op when it is
# already installed for the local PostgreSQL major version.
#
# Debian bookworm has no pgvector package, so this builds Debian trixie's pgvector *source*
# package: it is fetched with a separate, temporary apt configuration (only a
# "deb-src <mirror> trixie main" line; the system's apt lists are untouched), checked against
# its .dsc, then built with PGXS (`make OPTFLAGS=""`: portable, no -march=native) against the
# matching postgresql-server-dev-NN, and installed with `make install`.
#
# Installing postgresql-server-dev-NN may upgrade the PostgreSQL packages, and a server that
# was running during that upgrade fails to load plpgsql.so until restarted: so after
# installing, a running server is restarted (once) and checked with CREATE EXTENSION vector.
#
# Environment overrides:
#   PG_MAJOR               PostgreSQL major version (default: the cluster on PGVECTOR_PG_PORT,
#                          else the newest installed one)
#   PGVECTOR_DEBIAN_MIRROR Debian mirror URI (default: the one apt already uses for this release)
#   PGVECTOR_SUITE         Debian suite to take the source package from (default: trixie)
#   PGVECTOR_PG_HOST/PORT  server to restart and check (default: 127.0.0.1:5432)
#   PGVECTOR_CHECK_DB      database for the CREATE EXTENSION check (default: test)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUITE=${PGVECTOR_SUITE:-trixie}
PG_HOST=${PGVECTOR_PG_HOST:-127.0.0.1}
PG_PORT=${PGVECTOR_PG_PORT:-5432}
CHECK_DB=${PGVECTOR_CHECK_DB:-test}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "install-pgvector: $*"; }
die() { echo "install-pgvector: error: $*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

workdir=""
log=/dev/null
cleanup() { if [ -n "$workdir" ]; then rm -rf "$workdir"; fi; }
trap cleanup EXIT

# quietly DESCRIPTION COMMAND...: runs COMMAND with its output in the log; on failure shows the
# end of the log and stops.
quietly() {
  local what=$1; shift
  if ! "$@" >>"$log" 2>&1; then
    echo "install-pgvector: error: $what failed; last lines of its output:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

# The PostgreSQL major version: the cluster on $PG_PORT (running or not), else the newest
# installed server.
detect_pg_major() {
  local v=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    v=$(pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1 }' | sort -V | tail -n 1)
  fi
  if [ -z "$v" ]; then
    v=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null \
      | awk -F/ '{ print $(NF-2) }' | sort -V | tail -n 1)
  fi
  if [ -z "$v" ] && [ -d /etc/postgresql ]; then
    v=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  fi
  echo "$v"
}

server_running() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q >/dev/null 2>&1; }

# The URI of the Debian archive apt already uses for this release (a "deb" entry whose suite
# is exactly the release's codename, so not the -security or -updates archives).
detect_mirror() {
  local codename
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 0
  {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
        | awk -v c="$codename" '($1 == "deb" || $1 == "deb-src") && $3 == c { print $2 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk -v c="$codename" '
        function flush() {
          if (enabled != "no" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " c " "))
            { n = split(uris, u, " "); for (i = 1; i <= n; i++) print u[i] }
          types = ""; uris = ""; suites = ""; enabled = ""; key = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ { if (key == "uris") uris = uris " " $0; else if (key == "suites") suites = suites " " $0; next }
        {
          key = tolower($0); sub(/:.*/, "", key)
          val = $0; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled") enabled = tolower(val)
        }
        END { flush() }' "$f" | tr -s ' \t' '\n' | sed '/^$/d'
    done
  } | grep -E '^https?://' | head -n 1 || true
}

main() {
  local major
  major=${PG_MAJOR:-$(detect_pg_major)}
  [ -n "$major" ] || die "no PostgreSQL found (install the postgresql package first)"

  # Where the extension goes, from this version's pg_config (postgresql-client-NN), else the
  # Debian layout.
  local pg_config=/usr/lib/postgresql/$major/bin/pg_config sharedir pkglibdir
  if [ -x "$pg_config" ]; then
    sharedir=$("$pg_config" --sharedir)
    pkglibdir=$("$pg_config" --pkglibdir)
  else
    sharedir=/usr/share/postgresql/$major
    pkglibdir=/usr/lib/postgresql/$major/lib
  fi
  local control=$sharedir/extension/vector.control library=$pkglibdir/vector.so
  if [ -f "$control" ] && [ -f "$library" ]; then
    say "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$control") is already installed for PostgreSQL $major"
    return 0
  fi

  command -v apt-get >/dev/null 2>&1 || die "pgvector is not installed and there is no apt-get to build it with"
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    die "pgvector is not installed and installing it needs root (or sudo)"
  fi
  [ -f "$KEYRING" ] || die "$KEYRING is missing (install debian-archive-keyring)"
  local mirror=${PGVECTOR_DEBIAN_MIRROR:-$(detect_mirror)}
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d/*}; set PGVECTOR_DEBIAN_MIRROR"
  local was_running=0
  if server_running; then was_running=1; fi

  workdir=$(mktemp -d)
  chmod 755 "$workdir"   # apt's download sandbox (user _apt) must reach the directories below
  log=$workdir/log
  mkdir -p "$workdir/lists/partial" "$workdir/cache/archives/partial" "$workdir/parts" "$workdir/src"
  if [ "$(id -u)" -eq 0 ] && getent passwd _apt >/dev/null; then chown _apt "$workdir/src"; fi
  echo "deb-src [signed-by=$KEYRING] $mirror $SUITE main" >"$workdir/sources.list"
  local apt_opts=(-o "Dir::Etc::sourcelist=$workdir/sources.list"
    -o "Dir::Etc::sourceparts=$workdir/parts" -o "Dir::State::Lists=$workdir/lists"
    -o "Dir::Cache=$workdir/cache")

  say "fetching the pgvector source package from $mirror $SUITE"
  quietly "apt-get update ($SUITE sources)" apt-get -q "${apt_opts[@]}" update
  (cd "$workdir/src" && quietly "apt-get source pgvector" \
    apt-get -q "${apt_opts[@]}" source --download-only pgvector)

  # The download must be exactly one pgvector .dsc with every file it lists, hashes matching.
  local dscs=("$workdir"/src/*.dsc) dsc version
  [ ${#dscs[@]} -eq 1 ] && [ -f "${dscs[0]}" ] || die "expected one .dsc in the download, found: $(ls "$workdir/src")"
  dsc=${dscs[0]}
  grep -qx 'Source: pgvector' "$dsc" || die "$(basename "$dsc") is not the pgvector source package"
  version=$(sed -n 's/^Version: //p' "$dsc")
  local sums
  sums=$(awk '/^Checksums-Sha256:/ { on = 1; next } on && /^ / { print $1 "  " $3; next } { on = 0 }' "$dsc")
  [ -n "$sums" ] || die "$(basename "$dsc") lists no SHA-256 checksums"
  (cd "$workdir/src" && echo "$sums" | sha256sum --check --strict --quiet >>"$log" 2>&1) \
    || die "the downloaded pgvector files do not match $(basename "$dsc")"
  say "verified pgvector $version ($(basename "$dsc"))"

  # Packages: the server headers for this major version (may upgrade the server packages), and
  # the build tools when missing.
  local packages=("postgresql-server-dev-$major")
  command -v make >/dev/null 2>&1 || packages+=(make)
  command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
  command -v dpkg-source >/dev/null 2>&1 || packages+=(dpkg-dev)
  say "installing ${packages[*]}"
  local install=(as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
    --no-install-recommends -o DPkg::Lock::Timeout=300 "${packages[@]}")
  if ! "${install[@]}" >>"$log" 2>&1; then
    # Missing or stale package lists: refresh them once and retry.
    quietly "apt-get update" as_root apt-get -q -o DPkg::Lock::Timeout=300 update
    quietly "apt-get install ${packages[*]}" "${install[@]}"
  fi
  [ -x "$pg_config" ] || die "$pg_config is missing after installing postgresql-server-dev-$major"

  say "building pgvector $version for PostgreSQL $major"
  quietly "unpacking $(basename "$dsc")" dpkg-source -x "$dsc" "$workdir/build"
  quietly "make" make -C "$workdir/build" -j"$(nproc 2>/dev/null || echo 2)" OPTFLAGS="" PG_CONFIG="$pg_config"
  quietly "make install" as_root make -C "$workdir/build" install OPTFLAGS="" PG_CONFIG="$pg_config"
  sharedir=$("$pg_config" --sharedir)
  pkglibdir=$("$pg_config" --pkglibdir)
  [ -f "$sharedir/extension/vector.control" ] && [ -f "$pkglibdir/vector.so" ] \
    || die "make install did not put vector.control / vector.so under $sharedir / $pkglibdir"
  say "installed pgvector $version into $pkglibdir"

  # A server that ran during the package installation must be restarted (see above); restart
  # it once, the way .ci/run starts it, and check the extension loads.
  if [ "$was_running" -eq 1 ] || server_running; then
    say "restarting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main restart >>"$log" 2>&1 \
      || quietly "starting PostgreSQL $major" as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start
    local ready=0
    for _ in $(seq 1 60); do
      if server_running; then ready=1; break; fi
      sleep 1
    done
    [ "$ready" -eq 1 ] || die "PostgreSQL $major did not answer on $PG_HOST:$PG_PORT after the restart"
    local got
    if psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$CHECK_DB" -Atc 'select 1' >/dev/null 2>&1; then
      got=$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$CHECK_DB" -v ON_ERROR_STOP=1 -qAtc \
        "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector;
         SELECT extversion FROM pg_extension WHERE extname = 'vector'" 2>&1) \
        || die "CREATE EXTENSION vector failed in database $CHECK_DB: $got"
      say "CREATE EXTENSION vector works in database $CHECK_DB (version $got)"
    else
      got=$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc \
        "SELECT default_version FROM pg_available_extensions WHERE name='vector'" 2>&1) || got=""
      [ -n "$got" ] || die "PostgreSQL $major does not list the vector extension as available"
      say "PostgreSQL $major lists vector $got as available (no database $CHECK_DB to check in)"
    fi
  fi
}

main "$@"
