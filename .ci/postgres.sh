# Sourced by .ci/run (and by developers: `source .ci/postgres.sh` before `./ragtime test`).
# Makes sure PostgreSQL and pgvector are installed (Debian packages; pgvector built from Debian's
# source package, as bookworm has no binary one), starts a throwaway cluster on a free port on
# 127.0.0.1, exports TEST_POSTGRES_URL for the PostgreSQL tests and stops the cluster when the
# sourcing shell exits.

ragtime_pg_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt-get install, refreshing the package lists first when they do not know the package yet.
ragtime_pg_apt_install() {
  ragtime_pg_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
  ragtime_pg_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    ragtime_pg_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ragtime_pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

ragtime_pg_install() {
  if [ -z "$(ragtime_pg_bindir)" ] || [ ! -x "$(ragtime_pg_bindir)/initdb" ]; then
    echo "postgres.sh: installing PostgreSQL from Debian packages"
    ragtime_pg_apt_install postgresql || return 1
  fi
  local bindir version sharedir
  bindir="$(ragtime_pg_bindir)"
  version="$(basename "$(dirname "$bindir")")"
  sharedir="/usr/share/postgresql/$version"
  if [ -f "$sharedir/extension/vector.control" ]; then
    return 0
  fi
  echo "postgres.sh: building pgvector for PostgreSQL $version from Debian's source package"
  # The server's headers (postgres.h), not only pg_config, which postgresql itself ships.
  if [ ! -f "/usr/include/postgresql/$version/server/postgres.h" ]; then
    ragtime_pg_apt_install "postgresql-server-dev-$version" || return 1
  fi
  if ! command -v make >/dev/null || ! command -v gcc >/dev/null || ! command -v dpkg-source >/dev/null; then
    ragtime_pg_apt_install build-essential dpkg-dev || return 1
  fi
  # A private apt state with a deb-src entry for trixie, so the system's sources stay untouched.
  local work
  work="$(mktemp -d /tmp/ragtime-pgvector.XXXXXX)"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    > "$work/sources.list"
  local apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  # Steps are checked one by one: this runs inside an && list, where `set -e` does not apply.
  apt-get "${apt_opts[@]}" update -qq || return 1
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector) || return 1
  (cd "$work" && dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null) || return 1
  make -s -C "$work/src" with_llvm=no PG_CONFIG="/usr/lib/postgresql/$version/bin/pg_config" \
    >"$work/build.log" 2>&1 || { cat "$work/build.log"; return 1; }
  ragtime_pg_sudo make -s -C "$work/src" with_llvm=no \
    PG_CONFIG="/usr/lib/postgresql/$version/bin/pg_config" install >/dev/null || return 1
  rm -rf "$work"
  [ -f "$sharedir/extension/vector.control" ] || { echo "postgres.sh: pgvector did not install"; return 1; }
}

ragtime_pg_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

ragtime_pg_start() {
  local bindir port dir as
  bindir="$(ragtime_pg_bindir)"
  port="$(ragtime_pg_free_port)"
  dir="$(mktemp -d /tmp/ragtime-pg.XXXXXX)"
  as=()
  # initdb and the server refuse to run as root: run them as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log"; return 1; }
  # A throwaway cluster for tests: durability settings off, sockets in its own directory.
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null ||
    { cat "$dir/server.log"; return 1; }
  export TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
  RAGTIME_PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop)
  RAGTIME_PG_DIR="$dir"
  trap 'ragtime_pg_stop' EXIT
  echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') with pgvector on 127.0.0.1:$port; TEST_POSTGRES_URL=$TEST_POSTGRES_URL"
}

ragtime_pg_stop() {
  if [ -n "${RAGTIME_PG_DIR:-}" ]; then
    "${RAGTIME_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$RAGTIME_PG_DIR"
    RAGTIME_PG_DIR=""
  fi
}

if ! { ragtime_pg_install && ragtime_pg_start; }; then
  echo "postgres.sh: could not install or start PostgreSQL with pgvector (see above)" >&2
  return 1 2>/dev/null || exit 1
fi
