#!/usr/bin/env bash
# Submit a sweep to Slurm: write its spec (npm run sweep -- … --plan), then a job array with one task per shard
# that has work, then a merge job that runs once the array has ended (however its tasks ended).
#
#   scripts/slurm/submit.sh --preset pizza --grid d_mlp=32,64,128 --seeds 0,1,2 --out /shared/sweeps/width [-- <sbatch options>]
#
# The sweep directory must be on a filesystem every node sees. Options after `--` go to both sbatch calls
# (e.g. --partition=gpu --gres=gpu:1). Prints `array=<job id> tasks=<n> merge=<job id>`; task logs go to <dir>/logs/.
set -euo pipefail
cd "$(dirname "$0")/../.."
args=(); sbatch_opts=()
while (($#)); do
  if [[ $1 == -- ]]; then shift; sbatch_opts=("$@"); break; fi
  args+=("$1"); shift
done
out=""
for ((i = 0; i < ${#args[@]}; i++)); do [[ ${args[i]} == --out ]] && out=${args[i + 1]:-}; done
[[ -n $out ]] || { echo "submit.sh: give the sweep's --out <dir> (on a shared filesystem)" >&2; exit 2; }
n=$(npm run -s sweep -- "${args[@]}" --plan)
mkdir -p "$out/logs"
array=$(sbatch --parsable --array="0-$((n - 1))" --output="$out/logs/sweep-%A_%a.out" "${sbatch_opts[@]}" scripts/slurm/sweep.sbatch "$out")
merge=$(sbatch --parsable --dependency="afterany:${array%%;*}" --output="$out/logs/merge-%j.out" "${sbatch_opts[@]}" scripts/slurm/merge.sbatch "$out")
echo "array=${array%%;*} tasks=$n merge=${merge%%;*}"
