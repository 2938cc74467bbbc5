package io.portcullis.inspection.detect;


import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

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

    /** The text before a cut in a document of 1 to 4 corpus texts, and a continuation after it. */
    record Cut(String prefix, String continuation) {
        @Override
        public String toString() {
            return "prefix=" + quote(prefix) + " continuation=" + quote(continuation);
        }
    }

    @Test
    void compositeKeepsContract() {
        CompositeDetector composite = CompositeDetector.allDetectors("US", 0.5);
        forEachCut(4000, 1, cut -> checkContract(composite, cut));
    }

    @Test
    void compositeWithoutMinimumKeepsContract() {
        CompositeDetector composite = CompositeDetector.allDetectors("US", 0.0);
        forEachCut(1500, 2, cut -> checkContract(composite, cut));
    }

    @Test
    void everyDetectorKeepsContract() {
        forEachCut(2000, 3, cut -> {
            for (Detector detector : DETECTORS) {
                checkContract(detector, cut);
            }
        });
    }

    @Test
    void scanMatchesDetectAndHoldFrom() {
        CompositeDetector composite = CompositeDetector.allDetectors("US", 0.5);
        forEachCut(1000, 4, cut -> {
            Scan scan = composite.scan(cut.prefix());
            assertThat(scan.findings()).as("%s", cut).isEqualTo(composite.detect(cut.prefix()));
            assertThat(scan.holdFrom()).as("%s", cut).isEqualTo(composite.holdFrom(cut.prefix()));
        });
    }

    /** Runs the check on {@code tries} random cuts; seeds are fixed, so a failure names one to replay. */
    private static void forEachCut(int tries, long stream, Consumer<Cut> check) {
        for (long seed = 0; seed < tries; seed++) {
            Cut cut = cut(new Random(stream * 1_000_003L + seed));
            try {
                check.accept(cut);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", " + cut + ": " + e.getMessage(), e);
            }
        }
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

    private static final List<String> SEPARATORS =
            List.of(" ", "\n", ", ", "", ". Call ", " ssn ", " password: ", " Bearer ");
    private static final List<String> NOISE_WORDS = List.of(" ext. 12", ":30", "a", "%",
            "-----END RSA PRIVATE KEY-----", ".com", "@example.org", "; Password=hunter2x", "\n", "\"", "=",
            " = s3cr3tV4lu3!", "ey", "==", " 4567");
    private static final String NUMBER_CHARS = "0123456789 -.()+/:@=_x";
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** Returns a document of 1 to 4 corpus texts cut at a random offset, with a random continuation. */
    private static Cut cut(Random random) {
        List<String> texts = StreamCorpus.texts();
        int count = 1 + random.nextInt(4);
        List<String> parts = new ArrayList<>();
        List<String> separators = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add(texts.get(random.nextInt(texts.size())));
            separators.add(SEPARATORS.get(random.nextInt(SEPARATORS.size())));
        }
        String document = join(parts, separators);
        int offset = random.nextInt(document.length() + 1);
        String prefix = document.substring(0, offset);
        String rest = document.substring(offset);
        return switch (random.nextInt(3)) {
            case 0 -> new Cut(prefix, rest);
            case 1 -> new Cut(prefix, noise(random));
            default -> new Cut(prefix, noise(random) + rest);
        };
    }

    /** Returns 1 to 4 random pieces: digits and separators, letters and digits, or a few fixed words. */
    private static String noise(Random random) {
        StringBuilder noise = new StringBuilder();
        int pieces = 1 + random.nextInt(4);
        for (int i = 0; i < pieces; i++) {
            switch (random.nextInt(3)) {
                case 0 -> noise.append(randomString(random, NUMBER_CHARS, 1 + random.nextInt(12)));
                case 1 -> noise.append(randomString(random, ALPHANUMERIC, 1 + random.nextInt(40)));
                default -> noise.append(NOISE_WORDS.get(random.nextInt(NOISE_WORDS.size())));
            }
        }
        return noise.toString();
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
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
