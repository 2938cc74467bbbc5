package io.portcullis.masking;

import io.portcullis.inspection.detect.CompositeDetector;
import io.portcullis.masking.MaskingSamples.Entity;
import io.portcullis.policy.PolicyDecision.MaskMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Cost of masking, on one thread: a 1 MiB document dense with entities masked whole, and the
 * time that masking adds to one typical streamed chunk (a content delta of a few characters of
 * prose), both for the text alone and for the chunk's JSON as the relay handles it (decode,
 * mask, encode).
 *
 * <p>Run it with {@code bench/detection.sh}, which builds the {@code jmh} profile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class MaskingBenchmark {

    /** Characters of the dense document: 1 MiB of text. */
    public static final int DOCUMENT = 1 << 20;
    /** Characters per typical streamed delta, about one token of English prose. */
    public static final int DELTA = 4;

    private static final Set<String> TYPES =
            MaskingSamples.ENTITIES.stream().map(Entity::type).collect(Collectors.toSet());

    private CompositeDetector detector;
    private String densePii;
    private String prose;
    private StreamingTextMasker textStream;
    private AnswerStreamMasker chunkStream;
    private int position;

    @Setup
    public void setUp() {
        detector = CompositeDetector.allDetectors("US", 0.5);
        Random random = new Random(1);
        StringBuilder dense = new StringBuilder(DOCUMENT + 256);
        while (dense.length() < DOCUMENT) {
            dense.append("Contact ").append(MaskingSamples.ENTITIES.get(random.nextInt(MaskingSamples.ENTITIES.size()))
                    .value()).append(". ");
        }
        densePii = dense.substring(0, DOCUMENT);
        StringBuilder text = new StringBuilder();
        while (text.length() < 64 * 1024) {
            text.append("The quarterly report shows steady growth in the northern region, and the team plans ")
                    .append("to expand the pilot next spring after the review. ");
        }
        prose = text.toString();
        TextMasker masker = new TextMasker(detector, TYPES, MaskMode.REDACT, null, false);
        textStream = new StreamingTextMasker(masker, 8192);
        chunkStream = new AnswerStreamMasker(new TextMasker(detector, TYPES, MaskMode.REDACT, null, false), 8192);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public String maskDenseDocument() {
        return new TextMasker(detector, TYPES, MaskMode.REDACT, null, false).mask(densePii);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String streamTextDelta() {
        return textStream.append(nextDelta());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String streamChunkJson() {
        String upstream = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk")
                .put("created", 1).put("model", "m").put("choices", new JsonArray().add(new JsonObject()
                        .put("index", 0).put("delta", new JsonObject().put("content", nextDelta()))
                        .putNull("finish_reason"))).encode();
        List<JsonObject> out = chunkStream.rewrite(new JsonObject(upstream));
        return out.isEmpty() ? "" : out.get(0).encode();
    }

    private String nextDelta() {
        if (position + DELTA > prose.length()) {
            position = 0;
        }
        String delta = prose.substring(position, position + DELTA);
        position += DELTA;
        return delta;
    }
}
