package io.portcullis.simulator;

import io.portcullis.simulator.Scenario.Chunking;
import io.vertx.core.buffer.Buffer;
import java.util.Random;

/**
 * Cuts the segments of a {@link StreamPlan} into the writes that a {@link Chunking}
 * requests. Fixed and random sizes cut across event boundaries and inside UTF-8
 * characters alike. Not thread-safe: one replay uses it from its event loop.
 */
final class WriteCutter {

    /** Random write sizes are uniform from 1 to this many bytes. */
    static final int MAX_RANDOM_WRITE = 64;

    private final StreamPlan plan;
    private final Chunking chunking;
    private final Random random;
    private long segmentIndex;
    private int offset;

    WriteCutter(StreamPlan plan, Chunking chunking) {
        this.plan = plan;
        this.chunking = chunking;
        this.random = chunking instanceof Chunking.RandomBytes r ? new Random(r.seed()) : null;
    }

    boolean hasNext() {
        while (segmentIndex < plan.segmentCount() && offset >= plan.segment(segmentIndex).length) {
            segmentIndex++;
            offset = 0;
        }
        return segmentIndex < plan.segmentCount();
    }

    /** Returns the next write. Call only when {@link #hasNext()} is true. */
    Buffer next() {
        return switch (chunking) {
            case Chunking.PerEvent perEvent -> take(Integer.MAX_VALUE, true);
            case Chunking.FixedBytes fixed -> take(fixed.size(), false);
            case Chunking.RandomBytes randomBytes -> take(1 + random.nextInt(MAX_RANDOM_WRITE), false);
        };
    }

    /** Takes up to {@code size} bytes, stopping early at the end of the current segment when {@code stopAtSegmentEnd} is set. */
    private Buffer take(int size, boolean stopAtSegmentEnd) {
        Buffer write = Buffer.buffer(Math.min(size, 64 * 1024));
        while (write.length() < size && hasNext()) {
            byte[] segment = plan.segment(segmentIndex);
            int length = Math.min(size - write.length(), segment.length - offset);
            write.appendBytes(segment, offset, length);
            offset += length;
            if (stopAtSegmentEnd) {
                break;
            }
        }
        return write;
    }
}
