package io.portcullis.streaming;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;

/**
 * A step that sees every chunk of a streamed answer before the caller does, and may change,
 * drop, hold or add chunks. {@link StreamRelay} calls it for one chunk at a time, in order, and
 * reads no further event until the returned {@link Uni} completes, so a stage may wait (for a
 * policy decision, or a person) without reordering the answer.
 */
public interface StreamStage {

    /**
     * Processes one upstream chunk (a {@code chat.completion.chunk} object without {@code error}).
     *
     * @return the chunks to send now, in order; the very chunk object given, alone, sends the
     *         upstream's original bytes
     */
    Uni<List<JsonObject>> onChunk(JsonObject chunk);

    /** Returns the chunks still held when the upstream sent {@code [DONE]}. */
    Uni<List<JsonObject>> onEnd();

    /** Releases whatever the stage waits on, because the caller went away. */
    void cancel();

    /** Returns how often the relay sends an SSE comment to the caller while the stage is waiting. */
    Duration keepAliveInterval();
}
