#!/usr/bin/env bash
# Runs `scn explore` and SPIN on the same workloads and sizes, one line per size: states,
# wall seconds, peak RSS (MiB) of each tool and the wall-time ratio scn/spin.
#   usage: benches/spin_compare.sh            (SPIN from `apt-get install -y spin`, gcc)
# Workloads: N processes racing on a shared counter (race.c / race_lean.pml), the fork tree of N printing children (forktree.c / forktree.pml) and P
# producers x M items through a pipe of capacity K (prodcons.c / prodcons.pml).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# The SPIN models live beside the repository (../shared/bench/spin); SPIN_DIR overrides.
spin_dir=${SPIN_DIR:-}
for candidate in "$root/../shared/bench/spin" "$root/../../shared/bench/spin"; do
  if [[ -z $spin_dir && -d $candidate ]]; then
    spin_dir=$candidate
  fi
done
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
scn="$root/target/release/scn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# scn FILE ARGS... -> "states wall_s rss_mib outcomes"
run_scn() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v "$scn" explore --max-states "${SCN_MAX_STATES:-3000000}" --timeout "${SCN_TIMEOUT:-60}" "$@" >"$work/scn.txt" 2>"$work/time.txt" || true
  end=$(date +%s.%N)
  local states rss outcomes
  states=$(grep -oE 'explored [0-9]+ state' "$work/scn.txt" | grep -oE '[0-9]+' || echo '?')
  outcomes=$(head -1 "$work/scn.txt" | grep -oE '^[0-9]+' || echo '?')
  rss=$(awk -F: '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
  printf '%s %.3f %s %s' "$states" "$(echo "$end - $start" | bc)" "$rss" "$outcomes"
}

# MODEL DEFINES... -> "states wall_s rss_mib" (or "- - -" without spin)
run_spin() {
  if ! command -v spin >/dev/null; then
    printf -- '- - -'
    return
  fi
  local line
  line=$("$spin_dir/run.sh" "$@" 2>/dev/null || true)
  local states wall rss
  states=$(grep -oE 'states=[^ ]+' <<<"$line" | cut -d= -f2)
  wall=$(grep -oE 'wall_s=[^ ]+' <<<"$line" | cut -d= -f2)
  rss=$(grep -oE 'rss_mib=[^ ]+' <<<"$line" | cut -d= -f2)
  printf '%s %s %s' "${states:--}" "${wall:--}" "${rss:--}"
}

row() {
  local name=$1 scn_line=$2 spin_line=$3
  read -r s_states s_wall s_rss s_out <<<"$scn_line"
  read -r p_states p_wall p_rss <<<"$spin_line"
  local ratio='-'
  if [[ $p_wall != '-' ]]; then
    ratio=$(echo "scale=2; $s_wall / $p_wall" | bc)
  fi
  printf '%-22s %12s %9s %8s %10s | %12s %9s %8s | %6s\n' \
    "$name" "$s_states" "$s_wall" "$s_rss" "$s_out" "$p_states" "$p_wall" "$p_rss" "$ratio"
}

printf '%-22s %12s %9s %8s %10s | %12s %9s %8s | %6s\n' workload scn_states scn_s scn_mib outcomes \
  spin_states spin_s spin_mib ratio
for n in ${RACE_SIZES:-4 6 8 9}; do
  row "race N=$n" "$(run_scn "$here/race.c" "$n")" "$(run_spin race_lean.pml -DN="$n")"
done
# Sizes SPIN does not finish in 120 s: scn alone.
for n in ${RACE_SCN_ONLY_SIZES:-10}; do
  row "race N=$n" "$(run_scn "$here/race.c" "$n")" "- - -"
done
for n in ${FORKTREE_SIZES:-6 8 9 10}; do
  row "forktree N=$n" "$(run_scn "$here/forktree.c" "$n")" "$(run_spin forktree.pml -DN="$n")"
done
for p in ${PRODCONS_SIZES:-2 4 6}; do
  k=1
  row "prodcons P=$p M=2 K=$k" \
    "$(run_scn --config pipe_capacity=$((2 * k)) "$here/prodcons.c" "$p" 2)" \
    "$(run_spin prodcons.pml -DP="$p" -DM=2 -DK="$k")"
done
