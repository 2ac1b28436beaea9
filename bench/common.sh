# Shared by the benchmark scripts (sourced from the repository root): settings, building
# Palisade, installing checkov into a throwaway virtualenv (need_checkov), generating inputs once, and
# `measure`, which times a command $RUNS times.
set -euo pipefail
RUNS=${RUNS:-3}
OUT=bench/out
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release -q
PALISADE=target/release/palisade
CHECKOV=bench/.venv/bin/checkov
# need_checkov: installs checkov (the peer of run.sh) into the throwaway virtualenv, once.
need_checkov() {
  if [ ! -x "$CHECKOV" ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q checkov
  fi
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME CMD... : runs CMD $RUNS times; prints the median wall time (s) and peak RSS
# (MB) on stderr, and the median time on stdout.
measure() {
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq "$RUNS"); do
    local line
    # time's report is the last line of stderr; the command's own output is discarded.
    line=$( /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1 )
    times+=("${line% *}"); rss+=("${line#* }")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
  printf '%-52s %8.2f s %8d MB\n' "$name" "$t" "$((m / 1024))" >&2
  echo "$t"
}

# generate DIR CMD... : runs CMD (which writes DIR) unless a complete DIR is already there.
generate() {
  local dir=$1; shift
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$@"
    touch "$dir/.complete"
  fi
}
