#!/usr/bin/env bash
# Fork benchmark: `for (int i = 0; i < N; i++) fork();` for N = 10..20 under `scn run`.
# Prints N, processes, wall seconds, CPU seconds (user + system: what wall time would be on an
# idle machine, since the simulator is single-threaded), processes per CPU second and peak
# RSS (MiB) per size.
#   usage: benches/fork.sh [N_MIN] [N_MAX]       (default 10 20)
# Builds the release binary first. Needs GNU time (/usr/bin/time) for the peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
lo=${1:-10}
hi=${2:-20}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
scn="$root/target/release/scn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%4s %10s %9s %8s %14s %9s\n' N processes wall_s cpu_s procs_per_cpu_s rss_mib
for n in $(seq "$lo" "$hi"); do
  cat >"$work/fork$n.c" <<C
int main() {
    for (int i = 0; i < $n; i++)
        fork();
    return 0;
}
C
  start=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$work/rss" "$scn" run "$work/fork$n.c" >"$work/out" 2>&1 || {
    echo "scn failed for N=$n:"; head -20 "$work/out"; exit 1; }
  end=$(date +%s.%N)
  procs=$((1 << n))
  grep -q "^$procs processes" "$work/out" || { echo "unexpected report for N=$n:"; head -5 "$work/out"; exit 1; }
  read -r rss user sys <"$work/rss"
  awk -v n="$n" -v p="$procs" -v s="$start" -v e="$end" -v r="$rss" -v u="$user" -v y="$sys" \
    'BEGIN { w = e - s; c = u + y; rate = c > 0 ? sprintf("%.0f", p / c) : "-";
            printf "%4d %10d %9.3f %8.3f %14s %9.1f\n", n, p, w, c, rate, r / 1024 }'
done
