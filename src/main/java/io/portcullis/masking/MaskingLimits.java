package io.portcullis.masking;

/** Bounds of the streaming masker. */
final class MaskingLimits {

    /**
     * Characters of already released text that the detectors see again before new text, so
     * that context words (which count within 40 characters before an entity) still apply.
     */
    static final int CONTEXT_CHARACTERS = 64;
    /** Type shown for a held-back tail that grew past the maximum hold-back and was masked whole. */
    static final String OVERLONG_TYPE = "REDACTED";

    private MaskingLimits() {
    }
}
