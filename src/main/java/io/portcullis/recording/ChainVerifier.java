package io.portcullis.recording;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Checks a session's hash chain: every event's hash against its fields, every link against
 * the previous event, the sequence for gaps, and the session head for removed tail events.
 */
final class ChainVerifier {

    private ChainVerifier() {
    }

    /**
     * The first event that does not match, or null when the chain is intact.
     *
     * @param sequence the position in the chain where the mismatch is
     * @param eventId  the event found there, or null when the event is missing
     * @param reason   {@code hash_mismatch}, {@code previous_hash_mismatch}, {@code sequence_gap}
     *                 or {@code head_mismatch}
     */
    record Mismatch(long sequence, String eventId, String reason) {

        JsonObject toJson() {
            return new JsonObject().put("sequence", sequence).put("event_id", eventId).put("reason", reason);
        }
    }

    /** Verifies the events of a session, which must be sorted by sequence. */
    static Mismatch verify(RecordedSession head, List<SessionEvent> events) {
        String previous = null;
        long expected = 1;
        for (SessionEvent event : events) {
            if (event.sequence != expected) {
                return new Mismatch(expected, null, "sequence_gap");
            }
            if (!same(previous, event.previousHash)) {
                return new Mismatch(event.sequence, event.eventId.toString(), "previous_hash_mismatch");
            }
            if (!EventHashes.compute(event).equals(event.hash)) {
                return new Mismatch(event.sequence, event.eventId.toString(), "hash_mismatch");
            }
            previous = event.hash;
            expected++;
        }
        if (head.eventCount != events.size() || !same(head.lastHash, previous)) {
            // Events were removed from the end, or the head was rewritten.
            return new Mismatch(events.size() + 1L, null, "head_mismatch");
        }
        return null;
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }
}
