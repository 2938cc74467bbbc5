package io.portcullis.inspection.detect;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the contract of {@link Detector#holdFrom} on corpus texts cut at random offsets: for a
 * prefix {@code text} and any continuation {@code s}, the findings of {@code text + s} that
 * start before {@code holdFrom(text)} are those of {@code text}, and none ends after it.
 * Continuations are the rest of the document, random strings of characters that entities are
 * made of, and both.
 */
class HoldFromPropertyTest {

    private static final List<Detector> DETECTORS = detectors();

    /** A document of 1 to 4 corpus texts, a cut offset, and the continuation after the cut. */
    record Cut(String prefix, String continuation) {
        @Override
        public String toString() {
            return "prefix=" + quote(prefix) + " continuation=" + quote(continuation);
        }
    }

    @Property(tries = 4000)
    void compositeKeepsContract(@ForAll("cuts") Cut cut) {
        checkContract(CompositeDetector.allDetectors("US", 0.5), cut);
    }

    @Property(tries = 1500)
    void compositeWithoutMinimumKeepsContract(@ForAll("cuts") Cut cut) {
        checkContract(CompositeDetector.allDetectors("US", 0.0), cut);
    }

    @Property(tries = 2000)
    void everyDetectorKeepsContract(@ForAll("cuts") Cut cut) {
        for (Detector detector : DETECTORS) {
            checkContract(detector, cut);
        }
    }

    @Property(tries = 1000)
    void scanMatchesDetectAndHoldFrom(@ForAll("cuts") Cut cut) {
        CompositeDetector composite = CompositeDetector.allDetectors("US", 0.5);
        Scan scan = composite.scan(cut.prefix());
        assertThat(scan.findings()).isEqualTo(composite.detect(cut.prefix()));
        assertThat(scan.holdFrom()).isEqualTo(composite.holdFrom(cut.prefix()));
    }

    static void checkContract(Detector detector, Cut cut) {
        String name = detector.getClass().getSimpleName();
        String text = cut.prefix();
        int holdFrom = detector.holdFrom(text);
        assertThat(holdFrom).as("%s hold index", name).isBetween(0, text.length());
        List<Finding> before = startingBefore(detector.detect(text), holdFrom);
        List<Finding> after = startingBefore(detector.detect(text + cut.continuation()), holdFrom);
        assertThat(after).as("%s findings before %d once the continuation arrives", name, holdFrom)
                .containsExactlyInAnyOrderElementsOf(before);
        assertThat(before).as("%s findings before %d that end after it", name, holdFrom)
                .allSatisfy(finding -> assertThat(finding.end()).isLessThanOrEqualTo(holdFrom));
    }

    private static List<Finding> startingBefore(List<Finding> findings, int index) {
        return findings.stream().filter(finding -> finding.start() < index).toList();
    }

    @Provide
    Arbitrary<Cut> cuts() {
        List<String> texts = StreamCorpus.texts();
        Arbitrary<String> document = Arbitraries.of(texts).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(parts -> Arbitraries.of(" ", "\n", ", ", "", ". Call ", " ssn ", " password: ", " Bearer ")
                        .list().ofSize(parts.size())
                        .map(separators -> join(parts, separators)));
        return document.flatMap(doc -> Combinators.combine(
                Arbitraries.integers().between(0, doc.length()),
                Arbitraries.integers().between(0, 2),
                noise()).as((offset, kind, noise) -> cut(doc, offset, kind, noise)));
    }

    /** Random strings of digits, separators, key and token characters, and a few words. */
    private static Arbitrary<String> noise() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789 -.()+/:@=_x").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40),
                Arbitraries.of(" ext. 12", ":30", "a", "%", "-----END RSA PRIVATE KEY-----", ".com", "@example.org",
                        "; Password=hunter2x", "\n", "\"", "=", " = s3cr3tV4lu3!", "ey", "==", " 4567"));
        return pieces.list().ofMinSize(1).ofMaxSize(4).map(list -> String.join("", list));
    }

    private static Cut cut(String document, int offset, int kind, String noise) {
        String prefix = document.substring(0, offset);
        String rest = document.substring(offset);
        return switch (kind) {
            case 0 -> new Cut(prefix, rest);
            case 1 -> new Cut(prefix, noise);
            default -> new Cut(prefix, noise + rest);
        };
    }

    private static String join(List<String> parts, List<String> separators) {
        StringBuilder document = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                document.append(separators.get(i));
            }
            document.append(parts.get(i));
        }
        return document.toString();
    }

    private static List<Detector> detectors() {
        List<Detector> detectors = new ArrayList<>(CompositeDetector.builtInDetectors("US"));
        detectors.add(new PhoneNumberDetector("DE"));
        // Custom entities of an operator: patterns with look-around and a dictionary of phrases.
        detectors.add(CustomEntities.pattern("test", "CUSTOMER_ID", "(?<![A-Z])CUST-[0-9]{4,8}(?![0-9])", 0.9));
        detectors.add(CustomEntities.pattern("test", "TICKET", "[A-Z]{2,5}-[0-9]+\\b", 0.9));
        detectors.add(CustomEntities.dictionary("test", "CODE_NAME", List.of("Example", "com", "Password", "a b"), 0.9,
                false));
        return List.copyOf(detectors);
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"") + '"';
    }
}
