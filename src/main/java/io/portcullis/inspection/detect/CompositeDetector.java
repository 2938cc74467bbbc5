package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs several detectors over a text, drops findings below a minimum confidence, and resolves
 * overlaps: of two overlapping findings, the one with the higher confidence is kept, and at
 * equal confidence the longer one. So a connection string is not also reported as an email
 * address, and a JWT after {@code Bearer} is reported as a JWT.
 */
public final class CompositeDetector implements Detector {

    private static final Comparator<Finding> PREFERRED_FIRST = Comparator.comparingDouble(Finding::confidence).reversed()
            .thenComparing(Comparator.comparingInt(Finding::length).reversed())
            .thenComparingInt(Finding::start);

    private final List<Detector> detectors;
    private final double minConfidence;

    public CompositeDetector(List<Detector> detectors, double minConfidence) {
        if (minConfidence < 0 || minConfidence > 1) {
            throw new IllegalArgumentException("Invalid minimum confidence " + minConfidence + ": expected 0 to 1");
        }
        this.detectors = List.copyOf(detectors);
        this.minConfidence = minConfidence;
    }

    /** Creates a detector with every built-in detector. */
    public static CompositeDetector allDetectors(String phoneRegion, double minConfidence) {
        return new CompositeDetector(List.of(new EmailDetector(), new PhoneNumberDetector(phoneRegion),
                new CreditCardDetector(), new IbanDetector(), new UsSsnDetector(), new IpAddressDetector(),
                new CryptoWalletDetector(), new ApiKeyDetector(), new PrivateKeyDetector(), new JwtDetector(),
                new BearerTokenDetector(), new ConnectionStringDetector(), new AssignedSecretDetector()), minConfidence);
    }

    /** Returns the findings at or above the minimum confidence, without overlaps, sorted by start. */
    @Override
    public List<Finding> detect(String text) {
        List<Finding> candidates = new ArrayList<>();
        for (Detector detector : detectors) {
            for (Finding finding : detector.detect(text)) {
                if (finding.confidence() >= minConfidence) {
                    candidates.add(finding);
                }
            }
        }
        candidates.sort(PREFERRED_FIRST);
        List<Finding> kept = new ArrayList<>();
        for (Finding candidate : candidates) {
            if (kept.stream().noneMatch(other -> other.overlaps(candidate.start(), candidate.end()))) {
                kept.add(candidate);
            }
        }
        kept.sort(Comparator.comparingInt(Finding::start));
        return kept;
    }
}
