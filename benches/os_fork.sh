#!/usr/bin/env bash
# The real backend against C: a tree of 2^N processes from N sequential forks, everyone
# waiting for its children, under `scn run --backend os` and as the same C program built
# with cc. Prints the median wall time of each over R runs and their ratio, then the
# start-up cost of a run that does nothing.
#   usage: benches/os_fork.sh [N] [R]       (default 10 9)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-10}
runs=${2:-9}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
scn="$root/target/release/scn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/tree.c" <<C
#include <sys/wait.h>
#include <unistd.h>
int main() {
    for (int i = 0; i < $n; i++)
        fork();
    while (wait(NULL) > 0)
        ;
    return 0;
}
C
echo 'int main() { return 0; }' >"$work/empty.c"
cc -O2 -o "$work/tree" "$work/tree.c"
# Median wall seconds of R runs of a command.
median() {
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.4f", a[int((NR + 1) / 2)] / 1e6 }'
}
procs=$((1 << n))
c=$(median "$work/tree")
os=$(median "$scn" run --backend os --max-processes "$procs" "$work/tree.c")
empty=$(median "$scn" run --backend os "$work/empty.c")
printf '%-28s %9s\n' "2^$n processes, C" "${c} s"
printf '%-28s %9s\n' "2^$n processes, scn os" "${os} s"
awk -v a="$os" -v b="$c" 'BEGIN { printf "%-28s %9.2f\n", "ratio (target <= 1.3)", a / b }'
printf '%-28s %9s\n' "empty scenario, scn os" "${empty} s"
