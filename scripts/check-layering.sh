#!/usr/bin/env bash
# check-layering.sh - enforce the module dependency rule of DESIGN.md §2.1 / STYLE.md §1.
#
#   scripts/check-layering.sh [ROOT]       check ROOT (default: the repository this script is in)
#   scripts/check-layering.sh --self-test  build throw-away trees with known violations and
#                                          check that each one is caught (and a clean one is not)
#
# For every Sources/<Target>/**/*.swift, each `import` of a project module must be allowed for
# <Target> by the table below; Tests/<Target>Tests may import what <Target> may, plus <Target>
# and TestSupport (and what TestSupport may). External modules (Foundation, Logging,
# Synchronization, ...) are always allowed. HTTPServer and WebSocket must not even name a
# `Model...` identifier: they could serve any other application.
# Prints `file:line: <Target> must not import <Module>` per violation; exits 1 if there is any.
set -euo pipefail

# Project modules and the project modules each may import. Arrows point down only.
declare -A ALLOWED=(
    [CLinux]=""
    [CZlib]=""
    [COpenSSL]=""
    [CCurl]=""
    [EventLoop]="CLinux"
    [HTTPServer]="EventLoop CLinux COpenSSL"
    [WebSocket]="HTTPServer EventLoop CLinux CZlib"
    [SocketIO]="WebSocket HTTPServer EventLoop CLinux CZlib"
    [ModelFormats]="COpenSSL"
    [ModelKernelsAVX2]=""
    [ModelKernelsAVX512]=""
    [ModelRuntime]="ModelFormats ModelKernelsAVX2 ModelKernelsAVX512 COpenSSL"
    [ModelHub]="ModelFormats CCurl COpenSSL"
    [ModelLoading]="ModelRuntime ModelFormats ModelHub COpenSSL"
    [ModelServer]="HTTPServer WebSocket SocketIO ModelLoading ModelRuntime ModelFormats ModelHub EventLoop CLinux"
    [modeld]="ModelServer ModelHub EventLoop CLinux"
    [TestSupport]="EventLoop CLinux"
)
# Targets that must stay ignorant of models (DESIGN §2.1).
MODEL_FREE="HTTPServer WebSocket SocketIO"

# An import line, with optional attributes (@testable, @preconcurrency, @_exported), an access
# level and a declaration kind (`import struct Foo.Bar`); the module is the first path component.
IMPORT_RE='^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|private|fileprivate)[[:space:]]+)?import[[:space:]]+((typealias|struct|class|enum|protocol|let|var|func)[[:space:]]+)?[A-Za-z_][A-Za-z0-9_]*'

is_project_module() { [[ -v "ALLOWED[$1]" ]]; }
contains_word() { [[ " $1 " == *" $2 "* ]]; }

VIOLATIONS=0
violation() { echo "$1"; VIOLATIONS=$((VIOLATIONS + 1)); }

# check_dir DIR TARGET ALLOWED_LIST: report forbidden imports in DIR's Swift files.
check_dir() {
    local dir="$1" target="$2" allowed="$3" file line module
    while IFS= read -r -d '' file; do
        while IFS=: read -r line module; do
            is_project_module "$module" || continue
            [ "$module" = "$target" ] && continue
            contains_word "$allowed" "$module" && continue
            violation "${file#"$ROOT"/}:$line: $target must not import $module"
        done < <(grep -nE "$IMPORT_RE" "$file" | sed -E "s/^([0-9]+):.*import[[:space:]]+((typealias|struct|class|enum|protocol|let|var|func)[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*).*/\1:\4/")
    done < <(find "$dir" -name '*.swift' -type f -print0 | sort -z)
}

# check_model_free DIR TARGET: report any `Model...` identifier (code, string or comment).
check_model_free() {
    local dir="$1" target="$2" hit
    while IFS= read -r hit; do
        local file="${hit%%:*}" rest="${hit#*:}"
        local line="${rest%%:*}" text="${rest#*:}"
        local word; word="$(grep -oE '\bModel[A-Za-z0-9_]*' <<< "$text" | head -1)"
        violation "${file#"$ROOT"/}:$line: $target must not mention $word (it knows nothing of models)"
    done < <(grep -rnE --include='*.swift' '\bModel[A-Za-z0-9_]*' "$dir" || true)
}

check_tree() {
    ROOT="$1"
    [ -d "$ROOT/Sources" ] || { echo "check-layering: no Sources/ under $ROOT" >&2; exit 2; }
    local dir target
    for dir in "$ROOT"/Sources/*/; do
        target="$(basename "$dir")"
        if ! is_project_module "$target"; then
            violation "Sources/$target: unknown target; add it to the table in scripts/check-layering.sh"
            continue
        fi
        check_dir "$dir" "$target" "${ALLOWED[$target]}"
        contains_word "$MODEL_FREE" "$target" && check_model_free "$dir" "$target"
    done
    [ -d "$ROOT/Tests" ] || return 0
    for dir in "$ROOT"/Tests/*Tests/; do
        [ -d "$dir" ] || continue
        target="$(basename "$dir")"
        local module="${target%Tests}"
        is_project_module "$module" || continue
        check_dir "$dir" "$target" "$module ${ALLOWED[$module]} TestSupport ${ALLOWED[TestSupport]}"
    done
}

# ------------------------------------------------------------------ self-test
# expect_caught NAME EXPECTED_SUBSTRING: run the checker on $T and require that message.
self_test() {
    local script; script="$(realpath "${BASH_SOURCE[0]}")"
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    local failures=0
    make_tree() { # dir: a clean tree, one file per target
        rm -rf "$1"; mkdir -p "$1/Sources/EventLoop" "$1/Sources/HTTPServer" "$1/Sources/ModelServer" "$1/Tests/HTTPServerTests"
        printf 'import CLinux\nimport Synchronization\n' > "$1/Sources/EventLoop/Loop.swift"
        printf 'public import EventLoop\n@preconcurrency import Glibc\n/// Serves any application.\npublic struct Server {}\n' > "$1/Sources/HTTPServer/Server.swift"
        printf 'import HTTPServer\nimport Logging\nstruct ModelRoutes {}\n' > "$1/Sources/ModelServer/Routes.swift"
        printf '@testable import HTTPServer\nimport TestSupport\nimport EventLoop\nimport Testing\n' > "$1/Tests/HTTPServerTests/ServerTests.swift"
    }
    run_case() { # name expected-substring (empty: must pass) setup-command
        local name="$1" expected="$2" out rc
        make_tree "$tmp/t"
        eval "$3"
        out="$("$script" "$tmp/t" 2>&1)" && rc=0 || rc=$?
        if [ -z "$expected" ]; then
            if [ "$rc" -ne 0 ]; then echo "self-test FAILED: $name: clean tree rejected: $out"; failures=$((failures + 1)); fi
        elif [ "$rc" -ne 1 ] || [[ "$out" != *"$expected"* ]]; then
            echo "self-test FAILED: $name: expected exit 1 with '$expected', got $rc: $out"; failures=$((failures + 1))
        fi
    }
    run_case "clean tree" "" ":"
    run_case "upward import" "Sources/EventLoop/Loop.swift:3: EventLoop must not import HTTPServer" \
        "printf 'import HTTPServer\n' >> \$tmp/t/Sources/EventLoop/Loop.swift"
    run_case "sideways public import" "Sources/HTTPServer/Server.swift:5: HTTPServer must not import ModelLoading" \
        "printf 'public import ModelLoading\n' >> \$tmp/t/Sources/HTTPServer/Server.swift"
    run_case "scoped import" "Sources/HTTPServer/Server.swift:5: HTTPServer must not import WebSocket" \
        "printf '@preconcurrency import struct WebSocket.Frame\n' >> \$tmp/t/Sources/HTTPServer/Server.swift"
    run_case "Model name in HTTPServer" "Sources/HTTPServer/Server.swift:5: HTTPServer must not mention ModelLoader" \
        "printf 'let x = \"ModelLoader\"\n' >> \$tmp/t/Sources/HTTPServer/Server.swift"
    run_case "test imports above its module" "Tests/HTTPServerTests/ServerTests.swift:5: HTTPServerTests must not import ModelServer" \
        "printf 'import ModelServer\n' >> \$tmp/t/Tests/HTTPServerTests/ServerTests.swift"
    run_case "unknown target" "Sources/Mystery: unknown target" "mkdir -p \$tmp/t/Sources/Mystery"
    if [ "$failures" -ne 0 ]; then echo "check-layering self-test: $failures case(s) failed"; return 1; fi
    echo "check-layering self-test: all cases passed"
}

case "${1:-}" in
    --self-test) self_test; exit $? ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
check_tree "$(realpath "${1:-$(dirname "$(realpath "${BASH_SOURCE[0]}")")/..}")"
if [ "$VIOLATIONS" -gt 0 ]; then
    echo "check-layering: $VIOLATIONS violation(s) of the dependency rule (DESIGN.md §2.1)" >&2
    exit 1
fi
echo "check-layering: ok"
