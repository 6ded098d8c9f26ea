# Shared set-up of the shell benchmarks (check-10k.sh, fmt-10k.sh, interop-1k.sh): sourced by them,
# not run. Three functions:
#
#   need_tools TOOL...   exit 2, with the apt-get line, unless every TOOL (hyperfine, jq...) is
#                        installed
#   build_noteplate      builds noteplate with cargo profile NOTEPLATE_PROFILE (default release;
#                        `bench` inherits release, builds in less time and shares target/release)
#                        and sets `binary` to it (CARGO_TARGET_DIR respected)
#   corpus_setup COUNT   the generated corpus of templates (benches/generate/mod.rs), COUNT files as
#                        DIR/NNN/templateNNNNN.note, and the binary: sets `dir`, `binary`, `files`
#                        (how many .note files) and `bytes` (their total size). The corpus goes to
#                        a temporary folder removed on exit; NOTEPLATE_CORPUS=DIR keeps it in DIR
#                        instead and reuses it when DIR already holds one (DIR/000 exists),
#                        whatever COUNT says.

need_tools() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "error: $tool is missing; install it with: apt-get install -y $tool" >&2
            exit 2
        fi
    done
}

build_noteplate() {
    local profile=${NOTEPLATE_PROFILE:-release}
    cargo build --profile "$profile" --quiet --bin noteplate
    # Cargo's built-in profiles write to debug/ (dev, test) and release/ (release, bench).
    local folder
    case $profile in
        dev | test) folder=debug ;;
        release | bench) folder=release ;;
        *) folder=$profile ;;
    esac
    binary="${CARGO_TARGET_DIR:-target}/$folder/noteplate"
    [[ -x "$binary" ]] || { echo "error: $binary was not built" >&2; exit 2; }
}

corpus_setup() {
    local count=$1
    if [[ -n "${NOTEPLATE_CORPUS:-}" ]]; then
        dir=$NOTEPLATE_CORPUS
    else
        dir=$(mktemp -d)
        # Expanded now, so that the folder made here is the one removed.
        # shellcheck disable=SC2064
        trap "rm -rf '$dir'" EXIT
    fi
    build_noteplate
    if [[ ! -d "$dir/000" ]]; then
        cargo bench --quiet --bench gen_corpus -- "$dir" "$count"
    fi
    files=$(find "$dir" -name '*.note' | wc -l)
    bytes=$(find "$dir" -name '*.note' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
}
