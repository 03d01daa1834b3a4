#!/usr/bin/env bash
# Install -> run -> reinstall -> uninstall leaves nothing in site-packages (issue 16, finding 1).
#
# A regular (non-editable) install into a throwaway venv that sees the already-installed
# dependencies (--system-site-packages, no network), one `oncogen call` on 100 kb of the
# example pair with an empty numba cache, a forced reinstall, an uninstall; then nothing of
# oncogen may remain in the venv's site-packages, and numba's compiled kernels must be in
# the user cache directory. About 30 s.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
unset NUMBA_CACHE_DIR
export XDG_CACHE_HOME="$work/cache"

# Build from a copy of the package files, so the build leaves no build/ or egg-info here.
mkdir "$work/src"
cp -r "$repo/onco_genomics" "$repo/setup.cfg" "$repo/pyproject.toml" "$repo/README.md" "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +

python -m venv --without-pip --system-site-packages "$work/venv"  # the build tools installed here
py="$work/venv/bin/python"
pip_install() { "$py" -m pip install -q --no-deps --no-build-isolation "$@" "$work/src"; }
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

pip_install
cd "$work"
"$py" -c 'import onco_genomics, sys; sys.exit(not onco_genomics.__file__.startswith(sys.argv[1]))' "$site" \
  || { echo "install check: onco_genomics is not imported from the venv" >&2; exit 1; }
E="$repo/example_data"
"$work/venv/bin/oncogen" -q call "$E/pair/tumor.bam" "$E/pair/normal.bam" --ref "$E/chr20_slice.fa" \
  --region 20_10000000:1-100000 -o "$work/calls.vcf.gz"
test -s "$work/calls.vcf.gz"
compiled="$(find "$XDG_CACHE_HOME/oncogen/numba" -name '*.nbi' | wc -l)"
[ "$compiled" -gt 0 ] || { echo "install check: no numba cache in the user cache dir" >&2; exit 1; }

pip_install --force-reinstall
"$work/venv/bin/oncogen" --version >/dev/null
"$py" -m pip uninstall -q -y oncogen

left="$(find "$site" -maxdepth 1 -iname '*onco*')"
stray="$(find "$site" -name '*.nbi' -o -name '*.nbc' | head -5)"
if [ -n "$left" ] || [ -n "$stray" ]; then
  echo "install check: left in site-packages after uninstall:" >&2
  echo "$left" "$stray" >&2
  exit 1
fi
echo "install check: install -> call -> reinstall -> uninstall left nothing in $site"
