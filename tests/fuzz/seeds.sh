# Seeds that live elsewhere in the tree, read in place rather than copied
# into tests/fuzz/corpus (a copy goes stale as the originals change).
# Sourced by tests/fuzz/run.sh and tests/e2e/fuzz_corpus.sh.
fuzz_seed_dirs() { # TARGET
    case $1 in
    fuzz_scenario) echo scenarios docs/examples ;;
    fuzz_principle) echo principles docs/examples ;;
    fuzz_import) echo tests/fixtures/import ;;
    fuzz_labels) echo tests/calibration/real-abcd \
        docs/examples/calibration ;;
    esac
}
