package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs several detectors over a text, drops findings below a minimum confidence, and resolves
 * overlaps: of two overlapping findings, the one with the higher confidence is kept, and at
 * equal confidence the longer one. So a connection string is not also reported as an email
 * address, and a JWT after {@code Bearer} is reported as a JWT.
 *
 * <p>{@link #holdFrom} keeps the contract of {@link Detector#holdFrom} after the overlap
 * resolution: it lies before every candidate that spans it, so that a later finding with a
 * higher confidence can only displace findings that are held back too. Its tail has no bound;
 * a stream that cannot hold more than {@link #maxHoldBack()} characters masks the held text
 * past that instead of releasing it.
 */
public final class CompositeDetector implements Detector {

    private static final Comparator<Finding> PREFERRED_FIRST = Comparator.comparingDouble(Finding::confidence).reversed()
            .thenComparing(Comparator.comparingInt(Finding::length).reversed())
            .thenComparingInt(Finding::start);

    /** Default of {@link #maxHoldBack()}, in characters: a PEM private key of 8192-bit RSA fits. */
    public static final int DEFAULT_MAX_HOLD_BACK = 8192;

    private final List<Detector> detectors;
    private final double minConfidence;
    private final int maxHoldBack;

    public CompositeDetector(List<Detector> detectors, double minConfidence) {
        this(detectors, minConfidence, DEFAULT_MAX_HOLD_BACK);
    }

    /**
     * @param maxHoldBack maximum characters that a stream holds back, at least 1; see
     *                    {@link #maxHoldBack()}
     */
    public CompositeDetector(List<Detector> detectors, double minConfidence, int maxHoldBack) {
        if (minConfidence < 0 || minConfidence > 1) {
            throw new IllegalArgumentException("Invalid minimum confidence " + minConfidence + ": expected 0 to 1");
        }
        if (maxHoldBack < 1) {
            throw new IllegalArgumentException("Invalid maximum hold-back " + maxHoldBack + ": expected at least 1 character");
        }
        this.detectors = List.copyOf(detectors);
        this.minConfidence = minConfidence;
        this.maxHoldBack = maxHoldBack;
    }

    /** Creates a detector with every built-in detector. */
    public static CompositeDetector allDetectors(String phoneRegion, double minConfidence) {
        return new CompositeDetector(builtInDetectors(phoneRegion), minConfidence);
    }

    /** Returns a new instance of every built-in detector. */
    public static List<Detector> builtInDetectors(String phoneRegion) {
        return List.of(new EmailDetector(), new PhoneNumberDetector(phoneRegion),
                new CreditCardDetector(), new IbanDetector(), new UsSsnDetector(), new NationalIdDetector(),
                new IpAddressDetector(),
                new CryptoWalletDetector(), new ApiKeyDetector(), new PrivateKeyDetector(), new JwtDetector(),
                new BearerTokenDetector(), new ConnectionStringDetector(), new AssignedSecretDetector());
    }

    /**
     * Returns the maximum number of characters that a stream should hold back. A tail that
     * {@link #holdFrom} keeps open past it belongs to an entity without a natural end, such as
     * a key block without its END line, and is masked instead of released.
     */
    public int maxHoldBack() {
        return maxHoldBack;
    }

    /** Returns the minimum confidence of a finding that counts. */
    public double minConfidence() {
        return minConfidence;
    }

    /** Returns the detectors that this one combines. */
    public List<Detector> detectors() {
        return detectors;
    }

    /** Returns the findings at or above the minimum confidence, without overlaps, sorted by start. */
    @Override
    public List<Finding> detect(String text) {
        return run(text, true, false).findings();
    }

    @Override
    public int holdFrom(String text) {
        return scan(text).holdFrom();
    }

    /**
     * Finds the findings of {@link #detect} and the index of {@link #holdFrom} together. The
     * built-in detectors, except the key block one, read only the parts of the text that
     * {@link Prefilter} selects. Their hold index comes from {@link OpenTailDetector#openFrom},
     * which reads the end of the whole text.
     */
    @Override
    public Scan scan(String text) {
        return scan(text, true);
    }

    /** Finds what {@link #scan(String)} finds, with or without the prefilter, for tests that compare both. */
    Scan scan(String text, boolean prefilter) {
        return run(text, prefilter, true);
    }

    /**
     * Runs every detector over the text.
     *
     * @param hold true to compute the hold index too; when false, the returned scan's hold index
     *             is {@code text.length()}
     */
    private Scan run(String text, boolean prefilter, boolean hold) {
        List<Finding> candidates = new ArrayList<>();
        int holdFrom = text.length();
        List<int[]> parts = null;
        List<String> partTexts = null;
        for (Detector detector : detectors) {
            if (prefilter && detector instanceof OpenTailDetector open) {
                if (parts == null) {
                    parts = Prefilter.parts(text);
                    partTexts = partTexts(text, parts);
                }
                for (int i = 0; i < parts.size(); i++) {
                    addShifted(open.detect(partTexts.get(i)), parts.get(i)[0], candidates);
                }
                if (hold) {
                    holdFrom = Math.min(holdFrom, open.openFrom(text));
                }
            } else if (hold) {
                Scan scan = detector.scan(text);
                holdFrom = Math.min(holdFrom, scan.holdFrom());
                addShifted(scan.findings(), 0, candidates);
            } else {
                addShifted(detector.detect(text), 0, candidates);
            }
        }
        if (!hold) {
            return new Scan(resolveOverlaps(candidates), text.length());
        }
        // Each detector's findings before its own index are final, and so are all candidates
        // before the smallest one. Moving it before every candidate that spans it leaves no
        // candidate that could interact, through the overlap resolution, across it.
        holdFrom = Tails.before(holdFrom, candidates);
        return new Scan(resolveOverlaps(candidates), holdFrom);
    }

    private static List<String> partTexts(String text, List<int[]> parts) {
        List<String> texts = new ArrayList<>(parts.size());
        for (int[] part : parts) {
            texts.add(part[0] == 0 && part[1] == text.length() ? text : text.substring(part[0], part[1]));
        }
        return texts;
    }

    private void addShifted(List<Finding> findings, int offset, List<Finding> candidates) {
        for (Finding finding : findings) {
            if (finding.confidence() >= minConfidence) {
                candidates.add(offset == 0 ? finding
                        : new Finding(finding.type(), finding.start() + offset, finding.end() + offset,
                                finding.confidence()));
            }
        }
    }

    private static List<Finding> resolveOverlaps(List<Finding> candidates) {
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
