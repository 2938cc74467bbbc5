package io.portcullis.inspection.detect;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tail that the composite detector holds back, case by case. */
class HoldFromTest {

    private final CompositeDetector detector = CompositeDetector.allDetectors("US", 0.5);

    /** The text, then the tail that is held back. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            Contact jane.                              | jane.
            The weather is fine today                  | today
            'The weather is fine today. '              | ''
            Write to jane.doe@example.                 | jane.doe@example.
            'Write to jane.doe@example.com '           | ''
            Call (555) 123-45                          | '(555) 123-45'
            My card is 4111 1111 1111                  | '4111 1111 1111'
            Authorization: Bearer eyJhbGciOi           | eyJhbGciOi
            'Server=db;Database=app;'                  | 'Server=db;Database=app;'
            'jdbc:postgresql://db/app?user=u&password' | 'jdbc:postgresql://db/app?user=u&password'
            """)
    void heldTail(String text, String tail) {
        assertThat(text.substring(detector.holdFrom(text))).isEqualTo(tail);
    }

    @Test
    void keyBlockHeldUntilEndLine() {
        String begin = "Here it is:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow";
        assertThat(detector.holdFrom(begin)).isEqualTo(begin.indexOf("-----"));
        String complete = begin + "IBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nDone";
        assertThat(detector.holdFrom(complete)).isEqualTo(complete.length() - "Done".length());
    }

    @Test
    void keyBlockPastMaximumIsFinal() {
        String block = "-----BEGIN PRIVATE KEY-----\n" + "A".repeat(PrivateKeyDetector.MAX_LENGTH) + " tail";
        Scan scan = detector.scan(block);
        assertThat(scan.findings()).extracting(Finding::type).containsExactly(EntityTypes.PRIVATE_KEY);
        assertThat(scan.holdFrom()).isEqualTo(block.length() - "tail".length());
    }

    @Test
    void finalFindingsStartBeforeHold() {
        Scan scan = detector.scan("Mail a@example.com or b@example.co");
        assertThat(scan.findings()).hasSize(2);
        assertThat(scan.finalFindings()).extracting(Finding::start).containsExactly(5);
    }

    @Test
    void higherConfidenceLaterFindingHoldsEarlierOne() {
        // The bearer token (0.85) overlaps the start of a JWT (0.95) that is not complete yet.
        Detector low = new FixedDetector(List.of(new Finding("LOW", 0, 10, 0.6)), 20);
        Detector high = new FixedDetector(List.of(new Finding("HIGH", 8, 30, 0.9)), 5);
        CompositeDetector composite = new CompositeDetector(List.of(low, high), 0.5);
        assertThat(composite.holdFrom("x".repeat(30))).isEqualTo(0);
    }

    @Test
    void invalidMaximumHoldBackRejected() {
        assertThatThrownBy(() -> new CompositeDetector(List.of(), 0.5, 0))
                .hasMessageContaining("Invalid maximum hold-back 0");
    }

    /** A detector with fixed findings and hold index, to test the composite's resolution. */
    private record FixedDetector(List<Finding> findings, int hold) implements Detector {
        @Override
        public List<Finding> detect(String text) {
            return findings;
        }

        @Override
        public int holdFrom(String text) {
            return hold;
        }
    }
}
