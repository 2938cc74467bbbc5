#!/usr/bin/env bash
# Measures the sensitive-data detectors and writes the "Detection accuracy" and "Detection
# speed" sections of the benchmark page:
#
# 1. Accuracy: DetectionEvaluationTest and SecretDetectionEvaluationTest score precision and
#    recall per entity type on the labelled cases in src/test/resources/pii/.
# 2. Speed: the JMH benchmarks DetectionBenchmark (io.portcullis.inspection.detect) and
#    MaskingBenchmark (io.portcullis.masking), Maven profile jmh, sources in src/jmh/java, on
#    one thread.
#
#   bench/detection.sh              writes the sections to target/bench/detection.md
#   bench/detection.sh --update     also replaces them in docs/benchmarks.md
#
# The sections sit between the markers <!-- detection:begin --> and <!-- detection:end --> of
# the page. --update leaves the rest of the page as it is and appends the sections when the
# markers are missing. bench/run.sh calls this script and puts the same sections on the page
# that it writes.
#
# Optional environment:
#   BENCH_DETECTION_OUTPUT  sections file to write (default target/bench/detection.md)
#   BENCH_JMH_OPTIONS       JMH options (default "-f 1 -wi 3 -w 2s -i 5 -r 2s")
set -euo pipefail

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../stack/env.sh"

WORK_DIR=$PORTCULLIS_HOME/target/bench
OUTPUT=${BENCH_DETECTION_OUTPUT:-$WORK_DIR/detection.md}
PAGE=$PORTCULLIS_HOME/docs/benchmarks.md
read -ra JMH_OPTIONS <<<"${BENCH_JMH_OPTIONS:--f 1 -wi 3 -w 2s -i 5 -r 2s}"
JMH_RESULT=$WORK_DIR/detection-jmh.json
# The project's goals for detection on this machine.
GOAL_MB_PER_S=100
GOAL_DENSE_MS=15
GOAL_CHUNK_US=5

log() {
    printf '[detection] %s\n' "$*"
}

die() {
    printf '[detection] ERROR: %s\n' "$*" >&2
    exit 1
}

run_accuracy() {
    log "scoring the detectors on the labelled cases"
    (cd "$PORTCULLIS_HOME" && ./mvnw -B -q test -Dtest='DetectionEvaluationTest,SecretDetectionEvaluationTest' \
        -Dsurefire.failIfNoSpecifiedTests=false >"$WORK_DIR/detection-accuracy.log" 2>&1) ||
        die "the evaluation tests failed; see $WORK_DIR/detection-accuracy.log"
}

run_speed() {
    log "building the jmh profile"
    (cd "$PORTCULLIS_HOME" && ./mvnw -B -q -Pjmh -DskipTests test-compile \
        dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK_DIR/jmh-classpath.txt" \
        >"$WORK_DIR/detection-build.log" 2>&1) || die "the jmh build failed; see $WORK_DIR/detection-build.log"
    LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
    log "running DetectionBenchmark and MaskingBenchmark (${JMH_OPTIONS[*]})"
    java -cp "$PORTCULLIS_HOME/target/test-classes:$PORTCULLIS_HOME/target/classes:$(cat "$WORK_DIR/jmh-classpath.txt")" \
        org.openjdk.jmh.Main 'DetectionBenchmark|MaskingBenchmark' "${JMH_OPTIONS[@]}" -rf json -rff "$JMH_RESULT" \
        >"$WORK_DIR/detection-jmh.log" 2>&1 || die "JMH failed; see $WORK_DIR/detection-jmh.log"
    LOAD_AT_END=$(cut -d ' ' -f 1-3 /proc/loadavg)
}

# Prints the score and the error of benchmark method $1 from the JMH result: "score error".
jmh_score() {
    python3 - "$JMH_RESULT" "$1" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1])):
    if result["benchmark"].endswith("." + sys.argv[2]):
        metric = result["primaryMetric"]
        print(f'{metric["score"]:.3f} {metric["scoreError"]:.3f}')
PY
}

# Prints "met" when value $1 is at most goal $2 (at least, with $3 = at-least), else "not met".
goal() {
    python3 -c '
import sys
value, goal, mode = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print("met" if (value >= goal if mode == "at-least" else value <= goal) else "not met")' "$1" "$2" "${3:-at-most}"
}

write_sections() {
    local commit date cpu_model java_version megabytes_per_s
    local prose prose_error dense dense_error hold_prose hold_prose_error hold_dense hold_dense_error
    local mask_dense mask_dense_error delta delta_error chunk chunk_error
    commit=$(git -C "$PORTCULLIS_HOME" rev-parse --short HEAD)
    date=$(date -u '+%Y-%m-%d %H:%M UTC')
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    java_version=$(java -version 2>&1 | sed -n 2p)
    read -r prose prose_error <<<"$(jmh_score proseDocument)"
    read -r dense dense_error <<<"$(jmh_score densePiiDocument)"
    read -r hold_prose hold_prose_error <<<"$(jmh_score holdFromProseWindow)"
    read -r hold_dense hold_dense_error <<<"$(jmh_score holdFromDenseWindow)"
    read -r mask_dense mask_dense_error <<<"$(jmh_score maskDenseDocument)"
    read -r delta delta_error <<<"$(jmh_score streamTextDelta)"
    read -r chunk chunk_error <<<"$(jmh_score streamChunkJson)"
    # 1 MiB of ASCII is 1.048576 MB.
    megabytes_per_s=$(python3 -c 'import sys; print(f"{1.048576 * 1000 / float(sys.argv[1]):.0f}")' "$prose")
    {
        cat <<EOF
<!-- detection:begin -->
## Detection accuracy

Produced by \`bench/detection.sh\` on $date at commit $commit, with
\`./mvnw -B test -Dtest=DetectionEvaluationTest,SecretDetectionEvaluationTest\`. The figures
do not depend on the machine. docs/detection.md describes the cases and explains the misses.

Presidio recognizer cases. Matching rule: a finding counts as correct when its type matches
and its span overlaps a label of the case, and a label counts as found when a finding of its
type overlaps it. Only the types under test in a case are scored. Minimum confidence 0.5,
phone region US. Every 5th case of each case file was set aside before tuning.

EOF
        cat "$PORTCULLIS_HOME/target/detection-evaluation.md"
        cat <<EOF

gitleaks and detect-secrets examples. They label whole strings, so the unit is the case: a
case counts as flagged when a finding of the expected type occurs in it. Every 5th case of
each file was set aside before tuning.

EOF
        cat "$PORTCULLIS_HOME/target/secret-detection-evaluation.md"
        cat <<EOF

## Detection speed

Produced by \`bench/detection.sh\` on $date at commit $commit: the JMH benchmarks
\`DetectionBenchmark\` and \`MaskingBenchmark\` (\`${JMH_OPTIONS[*]}\`, average time, one
thread) with all built-in detectors, minimum confidence 0.5. Machine: $(nproc) cores of
$cpu_model, $java_version. Load average (1, 5 and 15 minutes) $LOAD_AT_START at the start
and $LOAD_AT_END at the end: other work shared the cores, and the figures include it.

| Benchmark | Text | Result | Goal | Goal met |
|---|---|---:|---|---|
| \`proseDocument\` | 1 MiB of English prose without entities | $prose ± $prose_error ms, $megabytes_per_s MB/s | at least $GOAL_MB_PER_S MB/s per core | $(goal "$megabytes_per_s" "$GOAL_MB_PER_S" at-least) |
| \`densePiiDocument\` | 1 MiB with an entity every few words | $dense ± $dense_error ms | under $GOAL_DENSE_MS ms | $(goal "$dense" "$GOAL_DENSE_MS") |
| \`holdFromProseWindow\` | \`holdFrom\` on 256 characters of prose | $hold_prose ± $hold_prose_error µs | none | – |
| \`holdFromDenseWindow\` | \`holdFrom\` on 256 characters dense with entities | $hold_dense ± $hold_dense_error µs | none | – |
| \`maskDenseDocument\` | 1 MiB dense with entities, detected and redacted | $mask_dense ± $mask_dense_error ms | under $GOAL_DENSE_MS ms | $(goal "$mask_dense" "$GOAL_DENSE_MS") |
| \`streamTextDelta\` | one streamed delta of 4 characters of prose, text only | $delta ± $delta_error µs | under $GOAL_CHUNK_US µs | $(goal "$delta" "$GOAL_CHUNK_US") |
| \`streamChunkJson\` | one streamed chunk: JSON decoded, masked and encoded | $chunk ± $chunk_error µs | under $GOAL_CHUNK_US µs | $(goal "$chunk" "$GOAL_CHUNK_US") |

The detection texts come from \`DetectionTexts\` with fixed seeds; the dense one has an
entity of one of 16 kinds (email addresses, phone numbers, cards, IBANs, SSNs, IP addresses,
keys, tokens, connection strings, wallet addresses, NIE numbers) after every 20 to 60
characters of prose. \`holdFrom\` runs every detector on the window, as a stream does per
chunk. The masking benchmark builds its own dense document from \`MaskingSamples\`, and its
streamed deltas and chunks are prose.
<!-- detection:end -->
EOF
    } >"$OUTPUT"
}

update_page() {
    python3 - "$PAGE" "$OUTPUT" <<'PY'
import re, sys
page_path, sections_path = sys.argv[1], sys.argv[2]
page = open(page_path).read()
sections = open(sections_path).read().rstrip("\n") + "\n"
pattern = re.compile(r"<!-- detection:begin -->.*?<!-- detection:end -->\n?", re.S)
if pattern.search(page):
    page = pattern.sub(lambda _: sections, page)
else:
    page = page.rstrip("\n") + "\n\n" + sections
open(page_path, "w").write(page)
PY
    log "updated $PAGE"
}

main() {
    case ${1:-} in
    "" | --update) ;;
    *) die "unknown argument '$1': expected no argument or --update" ;;
    esac
    mkdir -p "$WORK_DIR"
    run_accuracy
    run_speed
    write_sections
    log "wrote $OUTPUT"
    if [[ ${1:-} == --update ]]; then
        update_page
    fi
}

main "$@"
