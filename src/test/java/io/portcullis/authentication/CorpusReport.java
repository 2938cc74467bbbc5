package io.portcullis.authentication;

import io.portcullis.authentication.JwtCorpusTest.Outcome;
import io.portcullis.authentication.JwtCorpusTest.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Renders the outcomes of {@link JwtCorpusTest} as the Markdown page docs/jwt-corpus.md. */
final class CorpusReport {

    private CorpusReport() {
    }

    static String render(List<Outcome> outcomes, List<String> sourceOrder, List<String> allowList) {
        List<Outcome> sorted = new ArrayList<>(outcomes);
        sorted.sort(Comparator.comparing((Outcome o) -> sourceRank(sourceOrder, o.source()))
                .thenComparing(Outcome::layer));
        StringBuilder page = new StringBuilder();
        page.append("# JOSE corpus results\n\n")
                .append("How the gateway's own token checks judge the verdict-labelled JOSE vectors in\n")
                .append("`src/test/resources/jwt` (origins in the SOURCES.md there). `JwtCorpusTest` generates this\n")
                .append("page: `./mvnw test -Dtest=JwtCorpusTest` writes it to `target/jwt-corpus.md`. The test's\n")
                .append("class comment describes which layer runs each source, how lua-resty options map onto the\n")
                .append("layers, and the verdict rules.\n\n")
                .append("Allow-list: ").append(String.join(", ", allowList))
                .append(" (the default of `portcullis.authentication.allowed-algorithms`).\n\n")
                .append("Statuses:\n\n")
                .append("- *matched*: the gateway's verdict equals the vector's.\n")
                .append("- *outside the allow-list*: the token's algorithm is not allowed or its key is symmetric.\n")
                .append("  Rejection is then the right verdict, whatever the vector's.\n")
                .append("- *JWE*: an encrypted token, always rejected.\n")
                .append("- *stricter* and *listed*: explained case by case at the end.\n")
                .append("- *mismatched*: fails the test. This run has ").append(count(outcomes, Status.MISMATCHED))
                .append(".\n\n");
        appendSummary(page, sorted, sourceOrder);
        appendVerdicts(page, sorted, sourceOrder);
        appendReasons(page, sorted, sourceOrder);
        appendDifferences(page, sorted);
        return page.toString();
    }

    private static void appendSummary(StringBuilder page, List<Outcome> outcomes, List<String> sourceOrder) {
        page.append("## Summary\n\n")
                .append("| Source | Layer | Checks | Matched | Outside allow-list | JWE | Stricter | Listed | Mismatched |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<Outcome>> bySourceAndLayer = group(outcomes, o -> o.source() + " | " + o.layer(),
                Comparator.comparing((String key) -> sourceRank(sourceOrder, key.substring(0, key.indexOf(" | "))))
                        .thenComparing(Function.identity()));
        bySourceAndLayer.forEach((key, rows) -> page.append("| ").append(key).append(" | ").append(rows.size())
                .append(" | ").append(count(rows, Status.MATCHED))
                .append(" | ").append(count(rows, Status.OUTSIDE_ALLOW_LIST))
                .append(" | ").append(count(rows, Status.ENCRYPTED))
                .append(" | ").append(count(rows, Status.STRICTER))
                .append(" | ").append(count(rows, Status.LISTED))
                .append(" | ").append(count(rows, Status.MISMATCHED)).append(" |\n"));
        page.append("| **All** | | ").append(outcomes.size())
                .append(" | ").append(count(outcomes, Status.MATCHED))
                .append(" | ").append(count(outcomes, Status.OUTSIDE_ALLOW_LIST))
                .append(" | ").append(count(outcomes, Status.ENCRYPTED))
                .append(" | ").append(count(outcomes, Status.STRICTER))
                .append(" | ").append(count(outcomes, Status.LISTED))
                .append(" | ").append(count(outcomes, Status.MISMATCHED)).append(" |\n\n");
    }

    private static void appendVerdicts(StringBuilder page, List<Outcome> outcomes, List<String> sourceOrder) {
        page.append("## Verdicts by source\n\n")
                .append("| Source | Layer | Expected | Gateway | Status | Checks |\n")
                .append("|---|---|---|---|---|---:|\n");
        Map<List<String>, Long> counts = new TreeMap<>(rowOrder(sourceOrder));
        for (Outcome o : outcomes) {
            List<String> key = List.of(o.source(), o.layer(), o.expected().label, o.verdict().label(), o.status().label);
            counts.merge(key, 1L, Long::sum);
        }
        counts.forEach((key, count) -> page.append("| ").append(String.join(" | ", key)).append(" | ").append(count)
                .append(" |\n"));
        page.append('\n');
    }

    private static void appendReasons(StringBuilder page, List<Outcome> outcomes, List<String> sourceOrder) {
        page.append("## Rejections by reason\n\n")
                .append("| Source | Layer | Reason | Checks |\n")
                .append("|---|---|---|---:|\n");
        Map<List<String>, Long> counts = new TreeMap<>(rowOrder(sourceOrder));
        for (Outcome o : outcomes) {
            if (o.verdict().run() && !o.verdict().accepted()) {
                counts.merge(List.of(o.source(), o.layer(), o.verdict().reason().label()), 1L, Long::sum);
            }
        }
        counts.forEach((key, count) -> page.append("| ").append(String.join(" | ", key)).append(" | ").append(count)
                .append(" |\n"));
        page.append('\n');
    }

    /** Orders table rows by source (in the given order), then by the remaining columns as text. */
    private static Comparator<List<String>> rowOrder(List<String> sourceOrder) {
        return Comparator.comparing((List<String> row) -> sourceRank(sourceOrder, row.get(0)))
                .thenComparing(row -> String.join("|", row.subList(1, row.size())));
    }

    private static void appendDifferences(StringBuilder page, List<Outcome> outcomes) {
        page.append("## Cases judged differently from the vector\n\n")
                .append("Stricter and listed cases, each with its reason. Cases outside the allow-list are not\n")
                .append("repeated here.\n\n")
                .append("| Source | Case | Expected | Gateway | Status | Reason |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            if (o.status() == Status.STRICTER || o.status() == Status.LISTED || o.status() == Status.MISMATCHED) {
                String gateway = o.verdict().label() + (o.verdict().reason() == null ? "" : " (" + o.verdict().reason().label() + ")");
                page.append("| ").append(o.source()).append(" | ").append(escape(o.label())).append(" | ")
                        .append(o.expected().label).append(" | ").append(gateway).append(" | ")
                        .append(o.status().label).append(" | ").append(escape(o.note() == null ? "" : o.note()))
                        .append(" |\n");
            }
        }
    }

    private static Map<String, List<Outcome>> group(List<Outcome> outcomes, Function<Outcome, String> key,
            Comparator<String> order) {
        return outcomes.stream().collect(Collectors.groupingBy(key, () -> new TreeMap<>(order), Collectors.toList()));
    }

    private static long count(List<Outcome> outcomes, Status status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    private static int sourceRank(List<String> sourceOrder, String source) {
        int rank = sourceOrder.indexOf(source);
        return rank < 0 ? sourceOrder.size() : rank;
    }

    private static String escape(String text) {
        return text.replace("|", "\\|");
    }
}
