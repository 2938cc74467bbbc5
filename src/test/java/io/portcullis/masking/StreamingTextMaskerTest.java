package io.portcullis.masking;

import io.portcullis.inspection.detect.CompositeDetector;
import io.portcullis.inspection.detect.Detector;
import io.portcullis.masking.MaskingSamples.Entity;
import io.portcullis.policy.PolicyDecision.MaskMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming masker against the masking of the whole text: for texts of prose, entities and
 * naughty strings cut at random places, the released pieces join up to the masked whole text,
 * and no entity is released in clear.
 */
class StreamingTextMaskerTest {

    private static final Detector DETECTOR = CompositeDetector.allDetectors("US", 0.5);
    private static final Set<String> ALL_TYPES =
            MaskingSamples.ENTITIES.stream().map(Entity::type).collect(Collectors.toSet());

    @Test
    void emailSplitAfterDotIsMasked() {
        StreamingTextMasker stream = new StreamingTextMasker(redactor(), 8192);
        String first = stream.append("Contact jane.");
        String second = stream.append("doe@example.com");
        String rest = stream.finish();
        assertThat(first).isEqualTo("Contact ");
        assertThat(second + rest).isEqualTo("[EMAIL_ADDRESS]");
    }

    @Test
    void pseudonymsAreNumberedInOrder() {
        Pseudonyms pseudonyms = Pseudonyms.empty();
        TextMasker masker = new TextMasker(DETECTOR, ALL_TYPES, MaskMode.PSEUDONYMIZE, pseudonyms, false);
        String masked = masker.mask("a@example.com, b@example.com and a@example.com");
        assertThat(masked).isEqualTo("<EMAIL_ADDRESS_1>, <EMAIL_ADDRESS_2> and <EMAIL_ADDRESS_1>");
        assertThat(pseudonyms.added()).hasSize(2);
    }

    @Test
    void placeholdersAreRestoredAcrossPieces() {
        Pseudonyms pseudonyms = new Pseudonyms(List.of(new Pseudonyms.Entry("EMAIL_ADDRESS", 1, "jane@example.com")));
        TextMasker masker = new TextMasker(DETECTOR, Set.of(), MaskMode.PSEUDONYMIZE, pseudonyms, true);
        StreamingTextMasker stream = new StreamingTextMasker(masker, 8192);
        String released = stream.append("Write to <EMAIL_") + stream.append("ADDRESS_1> or <EMAIL_ADDRESS_9>.")
                + stream.finish();
        assertThat(released).isEqualTo("Write to jane@example.com or <EMAIL_ADDRESS_9>.");
    }

    @Test
    void overlongTailIsMaskedWhole() {
        StreamingTextMasker stream = new StreamingTextMasker(redactor(), 100);
        String released = stream.append("key: -----BEGIN RSA PRIVATE KEY-----\n")
                + stream.append("MIIEowIBAAKCAQEA".repeat(10));
        assertThat(released).isEqualTo("key: [REDACTED]");
        assertThat(stream.holding()).isFalse();
    }

    /** Tries per property; each try is one random text cut at random places. */
    private static final int TRIES = 3000;

    @Test
    void piecesJoinToMaskedWhole() {
        for (long seed = 0; seed < TRIES; seed++) {
            Random random = new Random(seed);
            String text = RandomTexts.text(random);
            String whole = redactor().mask(text);
            String streamed = stream(redactor(), RandomTexts.cut(text, random));
            assertThat(streamed).as("seed %d, text %s", seed, text).isEqualTo(whole);
            for (Entity entity : MaskingSamples.ENTITIES) {
                if (ALL_TYPES.contains(entity.type()) && !whole.contains(entity.value())) {
                    assertThat(streamed).as("seed %d", seed).doesNotContain(entity.value());
                }
            }
        }
    }

    @Test
    void pseudonymsMatchWholeText() {
        for (long seed = 0; seed < TRIES / 3; seed++) {
            Random random = new Random(seed);
            String text = RandomTexts.text(random);
            String whole = new TextMasker(DETECTOR, ALL_TYPES, MaskMode.PSEUDONYMIZE, Pseudonyms.empty(), false)
                    .mask(text);
            TextMasker masker = new TextMasker(DETECTOR, ALL_TYPES, MaskMode.PSEUDONYMIZE, Pseudonyms.empty(), false);
            assertThat(stream(masker, RandomTexts.cut(text, random))).as("seed %d, text %s", seed, text)
                    .isEqualTo(whole);
        }
    }

    private static String stream(TextMasker masker, List<String> pieces) {
        StreamingTextMasker stream = new StreamingTextMasker(masker, 8192);
        StringBuilder released = new StringBuilder();
        for (String piece : pieces) {
            released.append(stream.append(piece));
        }
        return released.append(stream.finish()).toString();
    }

    private static TextMasker redactor() {
        return new TextMasker(DETECTOR, ALL_TYPES, MaskMode.REDACT, null, false);
    }
}
