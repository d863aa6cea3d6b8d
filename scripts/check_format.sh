#!/usr/bin/env bash
# Fails when a C++ file differs from what the committed .clang-format makes of it.
# Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find app engine widgets tests bench -name '*.cpp' -o -name '*.h')
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/prunelab-format.$$; then
    grep -E '^[^ ].*error:' /tmp/prunelab-format.$$ | cut -d: -f1 | sort -u | sed 's/^/format: /' >&2
    rm -f /tmp/prunelab-format.$$
    echo "format: the files above differ from .clang-format (clang-format -i FILE fixes them)" >&2
    exit 1
fi
rm -f /tmp/prunelab-format.$$
echo "format: ok (${#files[@]} files)"
