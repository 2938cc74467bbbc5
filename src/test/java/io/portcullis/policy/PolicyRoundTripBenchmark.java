package io.portcullis.policy;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.inspection.Findings;
import io.portcullis.testsupport.TestPolicyConfig;
import io.portcullis.inspection.RequestSummary;
import io.portcullis.session.BoundSession;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop benchmark of the policy round trip: the gateway's own {@link OpaClient} sends
 * {@code portcullis.policy.input/v1} documents to a running OPA, and {@link DecisionParser} reads
 * each response, which is what the gateway's {@code portcullis.policy.round.trip} timer measures.
 *
 * <p>A sender thread schedules query i at {@code start + i / rate} and sends it at that time,
 * whether or not earlier queries have completed. Latency runs from the scheduled time to the
 * parsed decision, so a sender that falls behind, a full connection pool or a slow OPA all show
 * up as queueing. Failed queries (timeouts, connection errors, invalid decisions) and decisions
 * whose {@code allow} differs from the expected one are counted as errors, and their latency is
 * recorded too.
 *
 * <p>Usage: {@code PolicyRoundTripBenchmark OPA_URL RATES WARMUP_SECONDS DURATION_SECONDS}, where
 * RATES is a comma-separated list of decisions per second. Each rate gets an unrecorded warm-up at
 * that rate, then a measured run. For each rate it prints one line
 * {@code RESULT rate=... sent=... errors=... p50_us=... p90_us=... p99_us=... max_us=...
 * send_lag_p99_us=...} on standard output. It exits 1 when a check before the runs fails, and 0
 * otherwise, even with errors, which the caller reads from the RESULT lines.
 */
public final class PolicyRoundTripBenchmark {

    /** The gateway's defaults for {@code portcullis.policy.timeout} and {@code max-connections}. */
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    /** Deadline of the check before the runs, whose first query also opens a connection and loads classes. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_CONNECTIONS = 32;
    /**
     * The sender parks until this long before a scheduled time, then spins, because a parked
     * thread wakes up late by Linux's timer slack (50 us by default) and more, and that delay
     * would count as latency.
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** Maximum latency the histograms record: 10 s, far beyond the 200 ms query deadline. */
    private static final long MAX_RECORDED_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final String ISSUER = "http://127.0.0.1:8180/realms/portcullis";
    private static final ErrorLog ERROR_LOG = new ErrorLog();

    /** One input of the mix, with the {@code allow} that the shipped policies return for it. */
    record Case(String name, CallerIdentity identity, RequestSummary request, Findings findings,
            boolean sessionBound, boolean expectedAllow) {
    }

    private PolicyRoundTripBenchmark() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("Usage: PolicyRoundTripBenchmark OPA_URL RATES WARMUP_SECONDS DURATION_SECONDS,"
                    + " such as http://127.0.0.1:8181 100,300,1000 5 20");
            System.exit(2);
        }
        String url = args[0];
        List<Integer> rates = new ArrayList<>();
        for (String rate : args[1].split(",")) {
            rates.add(positive(rate, "rate"));
        }
        int warmupSeconds = positive(args[2], "WARMUP_SECONDS");
        int durationSeconds = positive(args[3], "DURATION_SECONDS");

        Vertx vertx = Vertx.vertx();
        OpaClient checker = new OpaClient(vertx, config(url, CHECK_TIMEOUT));
        OpaClient opa = new OpaClient(vertx, config(url, TIMEOUT));
        // The gateway queries OPA on the event loop that handles the request, so the sends run on
        // an event loop too. Called from the sender thread instead, OpaClient failed a few queries
        // with "Response already ended".
        Context context = vertx.getOrCreateContext();
        try {
            List<Case> cases = cases();
            if (!checkCases(context, checker, cases)) {
                System.exit(1);
            }
            for (int rate : rates) {
                System.err.printf("[policy-bench] %d decisions/s: %d s warm-up, then %d s measured%n", rate,
                        warmupSeconds, durationSeconds);
                run(context, opa, cases, rate, warmupSeconds);
                RunResult result = run(context, opa, cases, rate, durationSeconds);
                System.out.println(result.line(rate));
            }
        } finally {
            checker.close();
            opa.close();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** Sends each case once and checks that OPA returns the expected {@code allow} for it. */
    private static boolean checkCases(Context context, OpaClient opa, List<Case> cases) throws InterruptedException {
        boolean passed = true;
        for (Case c : cases) {
            CompletableFuture<JsonObject> response = new CompletableFuture<>();
            context.runOnContext(ignored -> opa.queryDecision(input(c, 1).toJson()).subscribe()
                    .with(response::complete, response::completeExceptionally));
            try {
                PolicyDecision decision = DecisionParser.parse(response.get());
                if (decision.allow() != c.expectedAllow()) {
                    System.err.printf("[policy-bench] ERROR: case %s: expected allow=%s, but OPA returned allow=%s"
                            + " with reasons %s. Check that OPA serves opa-policies/ with its data.json.%n",
                            c.name(), c.expectedAllow(), decision.allow(), decision.reasons());
                    passed = false;
                }
            } catch (ExecutionException | InvalidDecisionException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                System.err.printf("[policy-bench] ERROR: case %s: the decision query failed: %s%n", c.name(), cause);
                passed = false;
            }
        }
        return passed;
    }

    /** Latencies and counts of one run at a fixed rate. */
    record RunResult(long sent, long errors, Histogram latency, Histogram sendLag) {

        String line(int rate) {
            return String.format("RESULT rate=%d sent=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d"
                    + " send_lag_p99_us=%d", rate, sent, errors, micros(latency.getValueAtPercentile(50)),
                    micros(latency.getValueAtPercentile(90)), micros(latency.getValueAtPercentile(99)),
                    micros(latency.getMaxValue()), micros(sendLag.getValueAtPercentile(99)));
        }

        private static long micros(long nanos) {
            return Math.round(nanos / 1000.0);
        }
    }

    /**
     * Sends {@code rate * seconds} queries on a fixed schedule and waits for all of them to end.
     * Every query ends within the client's 200 ms deadline, so the wait is bounded.
     */
    static RunResult run(Context context, OpaClient opa, List<Case> cases, int rate, int seconds)
            throws InterruptedException {
        long total = (long) rate * seconds;
        double intervalNanos = 1e9 / rate;
        Recorder latency = new Recorder(MAX_RECORDED_NANOS, 3);
        Histogram sendLag = new Histogram(MAX_RECORDED_NANOS, 3);
        AtomicLong errors = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(Math.toIntExact(total));
        AtomicInteger turn = new AtomicInteger();

        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        for (long i = 0; i < total; i++) {
            long scheduled = start + Math.round(i * intervalNanos);
            waitUntil(scheduled);
            sendLag.recordValue(Math.min(System.nanoTime() - scheduled, MAX_RECORDED_NANOS));
            Case c = cases.get((int) (i % cases.size()));
            context.runOnContext(ignored -> send(opa, c, turn.incrementAndGet(), scheduled, latency, errors, finished));
        }
        if (!finished.await(TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
            errors.addAndGet(finished.getCount());
            System.err.printf("[policy-bench] %d queries did not end 5 s after their deadline%n",
                    finished.getCount());
        }
        ERROR_LOG.reset();
        return new RunResult(total, errors.get(), latency.getIntervalHistogram(), sendLag);
    }

    private static void send(OpaClient opa, Case c, int turn, long scheduled, Recorder latency, AtomicLong errors,
            CountDownLatch finished) {
        JsonObject input = input(c, turn).toJson();
        opa.queryDecision(input).subscribe().with(response -> {
            String error = null;
            try {
                PolicyDecision decision = DecisionParser.parse(response);
                if (decision.allow() != c.expectedAllow()) {
                    error = "case " + c.name() + ": allow=" + decision.allow() + " with reasons "
                            + decision.reasons();
                }
            } catch (InvalidDecisionException e) {
                error = e.toString();
            }
            finish(scheduled, error, latency, errors, finished);
        }, failure -> finish(scheduled, failure.toString(), latency, errors, finished));
    }

    /** Records one ended query. {@code error} is null for an expected decision. */
    private static void finish(long scheduled, String error, Recorder latency, AtomicLong errors,
            CountDownLatch finished) {
        latency.recordValue(Math.min(System.nanoTime() - scheduled, MAX_RECORDED_NANOS));
        if (error != null) {
            ERROR_LOG.log(error);
            errors.incrementAndGet();
        }
        finished.countDown();
    }

    /** Prints the first errors of a run to standard error, and then only their number. */
    static final class ErrorLog {
        private static final int MAX_PRINTED = 5;
        private final AtomicInteger printed = new AtomicInteger();

        void log(String error) {
            if (printed.incrementAndGet() <= MAX_PRINTED) {
                System.err.println("[policy-bench] query failed: " + error);
            }
        }

        /** Prints how many errors went unprinted, and starts counting anew. */
        void reset() {
            int count = printed.getAndSet(0);
            if (count > MAX_PRINTED) {
                System.err.printf("[policy-bench] %d more queries failed%n", count - MAX_PRINTED);
            }
        }
    }

    private static void waitUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static PolicyInput input(Case c, int turn) {
        BoundSession session = c.sessionBound() ? new BoundSession("bench-" + c.name(), turn) : null;
        return new PolicyInput(c.identity(), c.request(), c.findings(), session,
                new Source("127.0.0.1", "OpenAI/Python 2.8.1"), Instant.now());
    }

    /**
     * Returns the mix of inputs, sent in turn: the realm's users and clients of stack/keycloak,
     * asking for chat completions and model lists. The expected {@code allow} follows
     * opa-policies/data.json.
     * The delegated request is allowed but held for approval, because its purpose
     * release-automation is a production purpose, and bob's request for gpt-4o-mini is denied.
     */
    static List<Case> cases() {
        Instant expiry = Instant.now().plus(Duration.ofMinutes(5));
        CallerIdentity alice = new CallerIdentity(ISSUER, "5a1c6f3e-alice", "alice", "alice@example.com",
                List.of("engineers"), List.of("llm-user"), "portcullis-cli", false, "code-review", null, expiry);
        CallerIdentity bob = new CallerIdentity(ISSUER, "7b0d2e91-bob", "bob", "bob@example.com",
                List.of("support"), List.of("llm-user"), "portcullis-cli", false, "customer-support", null, expiry);
        CallerIdentity buildAgent = new CallerIdentity(ISSUER, "c3e8a4d2-build-agent", "service-account-build-agent",
                null, List.of(), List.of(), "build-agent", true, "ci-build", null, expiry);
        CallerIdentity delegated = new CallerIdentity(ISSUER, "d9f1b7c5-delegating-agent",
                "service-account-delegating-agent", null, List.of(), List.of(), "delegating-agent", true,
                "release-automation", new CallerIdentity.Actor("build-agent", "build-agent", null), expiry);

        String chat = RequestSummary.CHAT_COMPLETIONS;
        return List.of(
                new Case("alice-chat", alice,
                        new RequestSummary(chat, "gpt-4o-mini", true, 256, 1, List.of("get_weather"), 3, 812),
                        Findings.of(Map.of("EMAIL_ADDRESS", 1)), true, true),
                new Case("bob-chat", bob,
                        new RequestSummary(chat, "smollm2-135m-instruct", false, null, 1, List.of(), 1, 40),
                        Findings.of(Map.of("PHONE_NUMBER", 1)), true, true),
                new Case("build-agent-chat", buildAgent,
                        new RequestSummary(chat, "gpt-4o-mini", false, 1024, 1, List.of("read_file", "search_code"),
                                2, 1500),
                        Findings.none(), true, true),
                new Case("delegated-chat", delegated,
                        new RequestSummary(chat, "smollm2-135m-instruct", false, null, 1, List.of("run_shell"), 2,
                                300),
                        Findings.none(), true, true),
                new Case("alice-models", alice, RequestSummary.modelsList(), Findings.none(), false, true),
                new Case("build-agent-models", buildAgent, RequestSummary.modelsList(), Findings.none(), false, true),
                new Case("bob-chat-denied", bob,
                        new RequestSummary(chat, "gpt-4o-mini", false, null, 1, List.of(), 1, 40),
                        Findings.none(), true, false));
    }

    private static PolicyConfig config(String url, Duration timeout) {
        return new TestPolicyConfig(url, timeout, MAX_CONNECTIONS);
    }

    private static int positive(String value, String name) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        System.err.printf("[policy-bench] %s '%s' is invalid: use a positive integer%n", name, value);
        System.exit(2);
        return 0;
    }
}
