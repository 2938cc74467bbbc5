package io.portcullis.inspection.detect;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the composite detector with every built-in detector, on one thread: a 1 MiB text
 * without findings, a 1 MiB text dense with entities, and {@code holdFrom} on the window that a
 * stream passes per chunk (the held tail and a new chunk, {@link #WINDOW} characters).
 *
 * <p>Run it with {@code bench/detection.sh}, which builds the {@code jmh} profile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
public class DetectionBenchmark {

    /** Characters of text per document benchmark: 1 MiB of ASCII. */
    public static final int DOCUMENT = 1 << 20;
    /** Characters that a stream passes to holdFrom per chunk: a held tail and a new chunk. */
    public static final int WINDOW = 256;

    private CompositeDetector detector;
    private String prose;
    private String densePii;
    private String proseWindow;
    private String denseWindow;

    @Setup
    public void setUp() {
        detector = CompositeDetector.allDetectors("US", 0.5);
        prose = DetectionTexts.prose(DOCUMENT, 1);
        densePii = DetectionTexts.densePii(DOCUMENT, 2);
        proseWindow = prose.substring(prose.length() - WINDOW);
        denseWindow = densePii.substring(densePii.length() - WINDOW);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<Finding> proseDocument() {
        return detector.detect(prose);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<Finding> densePiiDocument() {
        return detector.detect(densePii);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int holdFromProseWindow() {
        return detector.holdFrom(proseWindow);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int holdFromDenseWindow() {
        return detector.holdFrom(denseWindow);
    }
}
