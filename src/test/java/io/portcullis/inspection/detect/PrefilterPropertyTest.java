package io.portcullis.inspection.detect;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that the prefilter changes no result: the composite detector finds the same entities,
 * with and without it, in documents of corpus texts between stretches of plain prose.
 */
class PrefilterPropertyTest {

    @Property(tries = 3000)
    void prefilterKeepsFindings(@ForAll("documents") String document) {
        CompositeDetector detector = CompositeDetector.allDetectors("US", 0.0);
        assertThat(detector.scan(document, true)).isEqualTo(detector.scan(document, false));
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> corpus = Arbitraries.of(StreamCorpus.texts());
        Arbitrary<String> prose = Arbitraries.integers().between(0, 300).map(length -> DetectionTexts.prose(length, length));
        Arbitrary<String> separator = Arbitraries.of(" ", "\n", " call ", " ssn ", "\tpassword: ", " Data Source=db; ",
                " Bearer ", "");
        return Arbitraries.oneOf(corpus, prose, separator).list().ofMinSize(1).ofMaxSize(8)
                .map(parts -> String.join("", parts));
    }

    @Property(tries = 200)
    void partsAreOrderedAndDisjoint(@ForAll("documents") String document) {
        List<int[]> parts = Prefilter.parts(document);
        int previousEnd = -1;
        for (int[] part : parts) {
            assertThat(part[0]).isGreaterThan(previousEnd);
            assertThat(part[1]).isGreaterThan(part[0]).isLessThanOrEqualTo(document.length());
            previousEnd = part[1];
        }
    }
}
