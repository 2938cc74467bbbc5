package io.portcullis.masking;

import io.portcullis.inspection.detect.Finding;
import io.portcullis.inspection.detect.Scan;

import java.util.List;

/**
 * Masks one text that arrives in pieces, such as the content deltas of one choice of a
 * streamed answer. Each piece is released as soon as it is final: the masker holds back only
 * the tail that more text could still turn into an entity or a placeholder, so the released
 * pieces join up to the masking of the whole text.
 *
 * <p>A held-back tail longer than the maximum hold-back (an unterminated private key block,
 * for example) is replaced as a whole by {@code [REDACTED]} instead of being released, so the
 * added delay is bounded; in that case only, the output differs from the masking of the whole
 * text. Not thread-safe: one stream feeds it in order.
 */
public final class StreamingTextMasker {

    private final TextMasker masker;
    private final int maxHold;
    /** The last characters of the released text, in clear, seen again by the detectors for context. */
    private String context = "";
    private final StringBuilder pending = new StringBuilder();

    /**
     * Creates a streaming masker.
     *
     * @param masker  the masker of the whole text
     * @param maxHold maximum characters held back before the tail is masked whole
     */
    public StreamingTextMasker(TextMasker masker, int maxHold) {
        if (maxHold < 1) {
            throw new IllegalArgumentException("Invalid maximum hold-back " + maxHold + ": expected at least 1 character");
        }
        this.masker = masker;
        this.maxHold = maxHold;
    }

    /** Adds the next piece and returns the masked text that can be released now, possibly empty. */
    public String append(String piece) {
        pending.append(piece);
        return release(false);
    }

    /** Ends the text and returns the rest of it, masked. */
    public String finish() {
        return release(true);
    }

    /** Returns true when text is held back. */
    public boolean holding() {
        return !pending.isEmpty();
    }

    private String release(boolean end) {
        if (pending.isEmpty()) {
            return "";
        }
        String window = context + pending;
        int offset = context.length();
        List<Finding> findings;
        int cut;
        if (end) {
            findings = masker.findings(window);
            cut = window.length();
        } else {
            // One pass of the detectors gives both the findings and the hold index.
            Scan scan = masker.scan(window);
            findings = scan.findings();
            cut = Math.max(offset, scan.holdFrom());
        }
        cut = outsideFindings(findings, cut, offset);
        if (cut > offset && cut < window.length() && Character.isHighSurrogate(window.charAt(cut - 1))) {
            cut--;
        }
        StringBuilder released = new StringBuilder();
        int from = maskContinuation(window, offset, cut, findings, released);
        released.append(masker.replace(window, from, cut, findings));
        String held = window.substring(cut);
        pending.setLength(0);
        if (held.length() > maxHold) {
            released.append(masker.replaceOverlongTail(held));
            // The masked tail may end inside an entity, which must not be read again as context.
            context = "";
            return released.toString();
        }
        pending.append(held);
        context = window.substring(Math.max(0, cut - MaskingLimits.CONTEXT_CHARACTERS), cut);
        return released.toString();
    }

    /** Moves the cut back to the start of any finding that it would split. */
    private static int outsideFindings(List<Finding> findings, int cut, int offset) {
        int adjusted = cut;
        for (int i = findings.size() - 1; i >= 0; i--) {
            Finding finding = findings.get(i);
            if (finding.start() < adjusted && finding.end() > adjusted) {
                adjusted = Math.max(offset, finding.start());
            }
        }
        return adjusted;
    }

    /**
     * Masks the part after the offset of a finding that starts in the already released context.
     * The hold-back rule should make this impossible; if it happens anyway, the rest of the
     * entity is redacted rather than released.
     *
     * @return the index from which the normal masking continues
     */
    private int maskContinuation(String window, int offset, int cut, List<Finding> findings, StringBuilder out) {
        for (Finding finding : findings) {
            if (finding.start() < offset && finding.end() > offset) {
                int end = Math.min(finding.end(), cut);
                if (end > offset) {
                    out.append(Placeholders.redaction(finding.type()));
                    return end;
                }
            }
        }
        return offset;
    }
}
