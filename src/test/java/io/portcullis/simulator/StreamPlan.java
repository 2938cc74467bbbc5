package io.portcullis.simulator;

import io.portcullis.simulator.Scenario.Fault;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The body of one streamed response: the first {@code keptEvents} events of the
 * (possibly repeated) recording, then an optional {@code tail} of extra bytes, then
 * the {@code ending}. Events are read from the recording on demand, so a stream of any
 * length needs no more memory than the recording itself.
 */
record StreamPlan(Recording recording, int repeat, long keptEvents, byte[] tail, Ending ending) {

    /** How the simulator leaves the connection once the body has been written. */
    enum Ending {
        /** Ends the HTTP response normally: the last chunk of the chunked encoding is sent. */
        END,
        /** Closes the TCP connection with a reset instead of ending the response. */
        RESET
    }

    /** Number of events sent before a {@code garbage} or {@code reset} fault. */
    static final int EVENTS_BEFORE_FAULT = 3;

    /** An OpenAI-style error event, which real streams send when generation fails midway. */
    static final byte[] MIDSTREAM_ERROR_EVENT = ("data: {\"error\":{\"message\":\"The server had an error while"
            + " processing your request (simulated midstream failure).\",\"type\":\"server_error\","
            + "\"param\":null,\"code\":null}}\n\n").getBytes(StandardCharsets.US_ASCII);

    /**
     * Bytes that are not SSE: a NUL, two bytes that are invalid in UTF-8, and an HTML
     * error page, as a misbehaving proxy might inject.
     */
    static final byte[] GARBAGE = garbage();

    /**
     * Plans the stream for a fault. {@code midstream_error} and {@code truncate} cut at
     * half the events. {@code garbage} and {@code reset} cut after
     * {@link #EVENTS_BEFORE_FAULT} events, or earlier for very short recordings, so that
     * at least one event is withheld.
     *
     * @throws IllegalArgumentException for faults that have no streamed body (status, hang)
     */
    static StreamPlan of(Recording recording, int repeat, Fault fault) {
        long total = recording.eventCount(repeat);
        long half = total / 2;
        long few = Math.max(0, Math.min(EVENTS_BEFORE_FAULT, total - 1));
        return switch (fault.kind()) {
            case NONE -> new StreamPlan(recording, repeat, total, null, Ending.END);
            case MIDSTREAM_ERROR -> new StreamPlan(recording, repeat, half, MIDSTREAM_ERROR_EVENT, Ending.END);
            case TRUNCATE -> new StreamPlan(recording, repeat, half, firstHalf(recording.event(half, repeat)), Ending.END);
            case GARBAGE -> new StreamPlan(recording, repeat, few, GARBAGE, Ending.END);
            case RESET -> new StreamPlan(recording, repeat, few, null, Ending.RESET);
            case STATUS, HANG -> throw new IllegalArgumentException("Fault " + fault + " has no streamed body");
        };
    }

    /** Returns the number of segments: the kept events plus the tail, if any. */
    long segmentCount() {
        return keptEvents + (tail == null ? 0 : 1);
    }

    byte[] segment(long index) {
        return index < keptEvents ? recording.event(index, repeat) : tail;
    }

    /** Returns the first half of an event, cut at byte length / 2, possibly inside a UTF-8 character. */
    private static byte[] firstHalf(byte[] event) {
        return Arrays.copyOf(event, Math.max(1, event.length / 2));
    }

    private static byte[] garbage() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0x00);
        bytes.write(0xFF);
        bytes.write(0xFE);
        bytes.writeBytes("<html><body><h1>502 Bad Gateway</h1></body></html>\r\n".getBytes(StandardCharsets.US_ASCII));
        return bytes.toByteArray();
    }
}
