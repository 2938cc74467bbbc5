package io.portcullis.recording;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The hash chain of a session. An event's hash is the lowercase hex SHA-256 of these fields,
 * each followed by one LF, in this order: {@value #FORMAT}, session id, sequence, event id,
 * CloudEvents type, request id, time (ISO 8601 in UTC), previous hash (empty for the first
 * event), and last the data's JSON text without a trailing LF.
 */
final class EventHashes {

    static final String FORMAT = "portcullis.event-hash/v1";

    private EventHashes() {
    }

    /** Returns the hash the event should carry, computed from its fields and its predecessor's hash. */
    static String compute(SessionEvent event) {
        String canonical = FORMAT + '\n'
                + event.sessionId + '\n'
                + event.sequence + '\n'
                + event.eventId + '\n'
                + event.type + '\n'
                + event.requestId + '\n'
                + formatTime(event.occurredAt.toInstant()) + '\n'
                + (event.previousHash == null ? "" : event.previousHash) + '\n'
                + event.data;
        return sha256Hex(canonical);
    }

    /** Formats a time as it is hashed and published; PostgreSQL keeps microseconds, so the rest is dropped. */
    static String formatTime(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    private static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
