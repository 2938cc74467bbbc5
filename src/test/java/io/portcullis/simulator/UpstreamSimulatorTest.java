package io.portcullis.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the simulator on a random loopback port and checks its wire behaviour with a
 * raw socket client that decodes the chunked transfer encoding, so each simulator write
 * is visible as one HTTP chunk.
 */
class UpstreamSimulatorTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final String PLAIN_TEXT = RecordingCatalog.DEFAULT_TEXT;

    private static UpstreamSimulator simulator;
    private static HttpClient httpClient;

    @BeforeAll
    static void startSimulator() {
        simulator = new UpstreamSimulator();
        simulator.start(0);
        httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
        httpClient.close();
    }

    @BeforeEach
    void forgetRequests() {
        simulator.clear();
    }

    static Stream<String> recordingNames() {
        return simulator.recordings().stream().sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordingNames")
    void eventChunkingReplaysRecordingExactly(String name) throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", name)));

        assertEquals(200, response.status());
        assertEquals("text/event-stream; charset=utf-8", response.header("content-type"));
        assertTrue(response.complete(), "response should end with the last chunk");
        assertArrayEquals(expectedBody(name), response.body());
        List<byte[]> writes = response.chunks();
        for (int i = 0; i < writes.size() - 1; i++) {
            String write = ascii(writes.get(i));
            assertTrue(write.endsWith("\n\n"), "write " + i + " should end one event: " + write);
            assertEquals(write.length() - 2, write.indexOf("\n\n"), "write " + i + " should hold one event");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordingNames")
    void oneByteChunkingReplaysSameBytes(String name) throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", name, "sim_chunking", "bytes:1")));

        assertTrue(response.complete());
        assertArrayEquals(expectedBody(name), response.body());
        assertThat(response.chunks()).allSatisfy(write -> assertEquals(1, write.length));
        if (utf8(expectedBody(name)).chars().anyMatch(c -> c > 0x7F)) {
            boolean sawContinuationByte = response.chunks().stream().anyMatch(write -> (write[0] & 0xC0) == 0x80);
            assertTrue(sawContinuationByte, "a write should start inside a UTF-8 character");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bytes:7", "bytes:1000", "random:42", "random:7"})
    void otherChunkingsReplaySameBytes(String chunking) throws IOException {
        String name = "openai-chat_gpt41nano_text";
        RawResponse response = post(streamRequest(Map.of("sim_recording", name, "sim_chunking", chunking)));

        assertTrue(response.complete());
        assertArrayEquals(expectedBody(name), response.body());
        List<Integer> sizes = response.chunks().stream().map(write -> write.length).toList();
        if (chunking.startsWith("bytes:")) {
            int size = Integer.parseInt(chunking.substring(6));
            assertThat(sizes.subList(0, sizes.size() - 1)).containsOnly(size);
            assertThat(sizes.get(sizes.size() - 1)).isBetween(1, size);
        } else {
            assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, WriteCutter.MAX_RANDOM_WRITE));
            assertThat(new HashSet<>(sizes).size()).isGreaterThan(10);
        }
    }

    @Test
    void randomChunkingRepeatsForSameSeed() throws IOException {
        Map<String, String> metadata = Map.of("sim_recording", PLAIN_TEXT, "sim_chunking", "random:42");

        List<Integer> first = post(streamRequest(metadata)).chunks().stream().map(write -> write.length).toList();
        List<Integer> second = post(streamRequest(metadata)).chunks().stream().map(write -> write.length).toList();
        List<Integer> otherSeed = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_chunking", "random:43")))
                .chunks().stream().map(write -> write.length).toList();

        assertEquals(first, second);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void repeatSendsContentEventsBeforeFinalEvents() throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_repeat", "3")));

        String body = utf8(response.body());
        String recorded = utf8(expectedBody(PLAIN_TEXT));
        assertTrue(response.complete());
        assertEquals(1, count(body, "data: [DONE]"));
        assertEquals(3 * count(recorded, "\"content\":\" unable\""), count(body, "\"content\":\" unable\""));
        assertEquals(3 * count(recorded, "\"role\":\"assistant\""), count(body, "\"role\":\"assistant\""));
        assertEquals(count(recorded, "\"finish_reason\":\"stop\""), count(body, "\"finish_reason\":\"stop\""));
        assertTrue(body.endsWith("data: [DONE]\n\n"));
    }

    @Test
    void midstreamErrorEndsWithErrorEventAfterHalf() throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_fault", "midstream_error")));

        String body = utf8(response.body());
        String recorded = utf8(expectedBody(PLAIN_TEXT));
        String errorEvent = ascii(StreamPlan.MIDSTREAM_ERROR_EVENT);
        assertTrue(response.complete(), "the HTTP response itself should end normally");
        assertTrue(body.endsWith(errorEvent));
        assertFalse(body.contains("[DONE]"));
        String before = body.substring(0, body.length() - errorEvent.length());
        assertTrue(recorded.startsWith(before), "events before the error should be the recorded ones");
        assertEquals(count(recorded, "\n\n") / 2, count(before, "\n\n"));
        JsonObject error = new JsonObject(errorEvent.substring(6).trim()).getJsonObject("error");
        assertEquals("server_error", error.getString("type"));
    }

    @Test
    void truncateEndsInsideAnEvent() throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_fault", "truncate")));

        String body = utf8(response.body());
        String recorded = utf8(expectedBody(PLAIN_TEXT));
        assertTrue(response.complete(), "the HTTP response itself should end normally");
        assertTrue(recorded.startsWith(body));
        assertFalse(body.endsWith("\n\n"), "the body should stop inside an event");
        assertFalse(body.contains("[DONE]"));
        assertThat(body.length()).isGreaterThan(recorded.length() / 4).isLessThan(recorded.length());
    }

    @Test
    void garbageFollowsFirstEvents() throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_fault", "garbage")));

        byte[] body = response.body();
        byte[] prefix = firstEvents(expectedBody(PLAIN_TEXT), StreamPlan.EVENTS_BEFORE_FAULT);
        assertTrue(response.complete());
        assertArrayEquals(prefix, Arrays.copyOf(body, prefix.length));
        assertArrayEquals(StreamPlan.GARBAGE, Arrays.copyOfRange(body, prefix.length, body.length));
    }

    @Test
    void resetClosesConnectionAbruptly() throws IOException {
        RawResponse response = post(streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_fault", "reset")));

        assertFalse(response.complete());
        assertInstanceOf(SocketException.class, response.failure());
        assertThat(response.failure().getMessage()).containsIgnoringCase("reset");
        assertArrayEquals(firstEvents(expectedBody(PLAIN_TEXT), StreamPlan.EVENTS_BEFORE_FAULT), response.body());
        ReceivedRequest received = awaitLastRequest(request -> request.bytesWritten() > 0);
        assertFalse(received.completed());
        assertFalse(received.clientClosedEarly(), "a reset by the simulator is not a client close");
    }

    @ParameterizedTest(name = "status:{0}")
    @CsvSource({
        "429, 7, requests, rate_limit_exceeded",
        "503, 7, server_error, ",
        "500, , server_error, ",
        "401, , invalid_request_error, invalid_api_key",
        "400, , invalid_request_error, "
    })
    void statusFaultSendsOpenAiError(int status, String retryAfter, String type, String code) throws IOException {
        for (boolean stream : List.of(true, false)) {
            RawResponse response = post(request(stream, Map.of("sim_fault", "status:" + status)));

            assertEquals(status, response.status());
            assertEquals(retryAfter, response.header("retry-after"));
            assertEquals("application/json", response.header("content-type"));
            JsonObject error = new JsonObject(utf8(response.body())).getJsonObject("error");
            assertEquals(type, error.getString("type"));
            assertEquals(code, error.getString("code"));
            assertNotNull(error.getString("message"));
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"true", "false"})
    void hangSendsHeadersThenNothing(boolean stream) throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(400);
            send(socket, request(stream, Map.of("sim_fault", "hang")));
            InputStream in = new BufferedInputStream(socket.getInputStream());

            assertEquals(200, readStatusLine(in));
            readHeaders(in);
            long start = System.nanoTime();
            try {
                int read = in.read();
                throw new AssertionError("expected no body byte, read " + read);
            } catch (SocketTimeoutException expected) {
                assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(350);
            }
            ReceivedRequest received = awaitLastRequest(request -> true);
            assertFalse(received.completed());
            assertEquals(0, received.bytesWritten());
        }
        assertTrue(awaitLastRequest(ReceivedRequest::clientClosedEarly).clientClosedEarly());
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"true", "false"})
    void firstByteDelayHoldsStatusLine(boolean stream) throws IOException {
        long start = System.nanoTime();
        RawResponse response = post(request(stream, Map.of("sim_first_byte_delay_ms", "300")));

        assertEquals(200, response.status());
        assertThat(response.firstByteMillis()).isGreaterThanOrEqualTo(300);
        assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(300);
    }

    @Test
    void delaySpacesWrites() throws IOException {
        String name = "openai-chat_refusal-single-chunk";
        long start = System.nanoTime();
        RawResponse response = post(streamRequest(Map.of("sim_recording", name, "sim_delay_ms", "100")));

        int writes = response.chunks().size();
        assertEquals(3, writes);
        assertArrayEquals(expectedBody(name), response.body());
        assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(100L * (writes - 1));
    }

    @Test
    void earlyCloseIsRecordedAsClientClose() throws IOException {
        try (Socket socket = connect()) {
            send(socket, streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_delay_ms", "50")));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertEquals(200, readStatusLine(in));
            readHeaders(in);
            assertNotNull(readChunk(in));
        }

        ReceivedRequest received = awaitLastRequest(ReceivedRequest::clientClosedEarly);
        assertTrue(received.clientClosedEarly());
        assertFalse(received.completed());
        assertThat(received.bytesWritten()).isLessThan(expectedBody(PLAIN_TEXT).length);
    }

    @Test
    void completedStreamIsNotClientClose() throws IOException {
        post(streamRequest(Map.of("sim_recording", PLAIN_TEXT)));

        ReceivedRequest received = awaitLastRequest(ReceivedRequest::completed);
        assertTrue(received.completed());
        assertFalse(received.clientClosedEarly());
        assertEquals(expectedBody(PLAIN_TEXT).length, received.bytesWritten());
    }

    /**
     * A reader that never reads should leave most of a large stream unwritten. What is
     * written fills the client's receive buffer, the server's socket send buffer and
     * Vert.x's write queue. The send buffer grows up to the kernel's net.ipv4.tcp_wmem
     * maximum (4 MiB on the machine where this test was written, where about 3.9 MB were
     * written), so the bound of a quarter of the stream (about 24 MB) leaves wide room.
     */
    @Test
    void stalledReaderPausesLargeStream() throws IOException {
        int repeat = 12_000;
        long total = RecordingCatalog.load().find(PLAIN_TEXT).bodyLength(repeat);
        assertThat(total).isGreaterThan(90L * 1024 * 1024);

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), simulator.port()));
            send(socket, streamRequest(Map.of("sim_recording", PLAIN_TEXT, "sim_repeat", String.valueOf(repeat))));
            long written = awaitStableBytesWritten();

            assertThat(written).isGreaterThan(0).isLessThan(total / 4);
            assertFalse(simulator.lastRequest().orElseThrow().completed());
        }
        assertTrue(awaitLastRequest(ReceivedRequest::clientClosedEarly).clientClosedEarly());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "openai-chat_plain-text_usage-free, 1, stop",
        "openai-chat_n3-multi-choice, 3, stop",
        "openai-chat_parallel-tool-calls, 1, tool_calls",
        "openai-chat_refusal-delta, 1, stop",
        "deepseek_tool-call, 1, tool_calls",
        "azure-chat_4-tool-calls_async-filter, 1, tool_calls"
    })
    void nonStreamedRequestAssemblesCompletion(String name, int choiceCount, String finishReason)
            throws IOException, InterruptedException {
        HttpResponse<String> response = httpPost(request(false, Map.of("sim_recording", name)));

        assertEquals(200, response.statusCode());
        JsonObject completion = new JsonObject(response.body());
        assertEquals("chat.completion", completion.getString("object"));
        assertNotNull(completion.getString("id"));
        assertNotNull(completion.getString("model"));
        JsonArray choices = completion.getJsonArray("choices");
        assertEquals(choiceCount, choices.size());
        Map<Integer, ExpectedChoice> expected = accumulate(expectedBody(name));
        for (int i = 0; i < choiceCount; i++) {
            JsonObject choice = choices.getJsonObject(i);
            JsonObject message = choice.getJsonObject("message");
            assertEquals(i, choice.getInteger("index"));
            assertEquals(finishReason, choice.getString("finish_reason"));
            assertEquals("assistant", message.getString("role"));
            assertEquals(expected.get(i).content(), message.getString("content"));
            assertEquals(expected.get(i).refusal(), message.getString("refusal"));
            assertEquals(expected.get(i).arguments(), toolArguments(message));
        }
    }

    @Test
    void nonStreamedCompletionCarriesUsageAndToolIds() throws IOException, InterruptedException {
        HttpResponse<String> response = httpPost(request(false, Map.of("sim_recording", "openai-chat_parallel-tool-calls")));

        JsonObject completion = new JsonObject(response.body());
        JsonObject usage = completion.getJsonObject("usage");
        assertNotNull(usage);
        assertThat(usage.getInteger("total_tokens")).isPositive();
        JsonArray calls = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls");
        assertEquals(2, calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.getJsonObject(i);
            assertThat(call.getString("id")).startsWith("call_");
            assertEquals("function", call.getString("type"));
            assertThat(call.getJsonObject("function").getString("name")).isNotEmpty();
            assertNotNull(new JsonObject(call.getJsonObject("function").getString("arguments")));
        }
    }

    @Test
    void nonStreamedErrorRecordingReturnsError() throws IOException, InterruptedException {
        HttpResponse<String> response = httpPost(request(false, Map.of("sim_recording", "groq_error-event-midstream.1")));

        assertEquals(400, response.statusCode());
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertEquals("tool_use_failed", error.getString("code"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defaultCases")
    void defaultRecordingFollowsRequest(String label, JsonObject request, String expectedRecording)
            throws IOException {
        RawResponse response = post(request);

        assertArrayEquals(expectedBody(expectedRecording), response.body());
    }

    static Stream<Arguments> defaultCases() {
        JsonArray tools = new JsonArray().add(new JsonObject().put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather")));
        return Stream.of(
                Arguments.of("plain", streamRequest(Map.of()), RecordingCatalog.DEFAULT_TEXT),
                Arguments.of("n=1", streamRequest(Map.of()).put("n", 1), RecordingCatalog.DEFAULT_TEXT),
                Arguments.of("n=3", streamRequest(Map.of()).put("n", 3), RecordingCatalog.DEFAULT_MULTI_CHOICE),
                Arguments.of("tools", streamRequest(Map.of()).put("tools", tools), RecordingCatalog.DEFAULT_TOOL_CALL),
                Arguments.of("empty tools", streamRequest(Map.of()).put("tools", new JsonArray()),
                        RecordingCatalog.DEFAULT_TEXT),
                Arguments.of("no metadata", streamRequest(Map.of()).put("metadata", null), RecordingCatalog.DEFAULT_TEXT));
    }

    @Test
    void requestIsRecordedWithHeadersAndBody() throws IOException {
        JsonObject request = streamRequest(Map.of("sim_recording", PLAIN_TEXT));
        byte[] body = request.toBuffer().getBytes();
        try (Socket socket = connect()) {
            String head = "POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n"
                    + "Authorization: Bearer token-for-recording-test\r\n"
                    + "X-Repeated: one\r\n"
                    + "x-repeated: two\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            readResponse(socket);
        }

        ReceivedRequest received = simulator.lastRequest().orElseThrow();
        assertEquals("POST", received.method());
        assertEquals("/v1/chat/completions", received.path());
        assertArrayEquals(body, received.body());
        assertEquals(Optional.of("token-for-recording-test"), received.bearerToken());
        assertEquals(List.of("one", "two"), received.headers().get("X-REPEATED"));
        assertEquals("application/json", received.header("content-type").orElseThrow());
        assertThat(received.receivedAt()).isBeforeOrEqualTo(Instant.now());
        assertEquals(1, simulator.requests().size());
    }

    @Test
    void requestsEndpointListsRecordedRequests() throws IOException, InterruptedException {
        httpPost(request(false, Map.of()));
        HttpResponse<String> listed = httpClient.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/_sim/requests")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, listed.statusCode());
        JsonArray requests = new JsonArray(listed.body());
        assertEquals(1, requests.size());
        JsonObject received = requests.getJsonObject(0);
        assertEquals("POST", received.getString("method"));
        assertEquals("/v1/chat/completions", received.getString("path"));
        assertEquals(List.of("Bearer test-token"), received.getJsonObject("headers").getJsonArray("Authorization").getList());
        assertEquals(false, new JsonObject(received.getString("body")).getBoolean("stream"));
        assertTrue(received.getBoolean("completed"));

        HttpResponse<String> cleared = httpClient.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/_sim/requests"))
                        .DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, cleared.statusCode());
        assertTrue(simulator.requests().isEmpty());
    }

    @Test
    void modelsEndpointListsModelIds() throws IOException, InterruptedException {
        HttpResponse<String> response = httpClient.send(
                HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/models"))
                        .header("Authorization", "Bearer any").build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        JsonObject list = new JsonObject(response.body());
        assertEquals("list", list.getString("object"));
        List<String> ids = list.getJsonArray("data").stream().map(model -> ((JsonObject) model).getString("id")).toList();
        assertEquals(UpstreamSimulator.MODEL_IDS, ids);
        assertEquals("GET", simulator.lastRequest().orElseThrow().method());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "sim_recording, no-such-recording",
        "sim_chunking, bytes:0",
        "sim_chunking, bytes:x",
        "sim_chunking, lines",
        "sim_chunking, random:",
        "sim_fault, explode",
        "sim_fault, status:200",
        "sim_fault, status:abc",
        "sim_repeat, 0",
        "sim_delay_ms, -1",
        "sim_first_byte_delay_ms, 9999999"
    })
    void invalidMetadataIsRejected(String key, String value) throws IOException {
        RawResponse response = post(streamRequest(Map.of(key, value)));

        assertEquals(400, response.status());
        JsonObject error = new JsonObject(utf8(response.body())).getJsonObject("error");
        assertEquals("invalid_sim_metadata", error.getString("code"));
        assertThat(error.getString("message")).contains(key).contains(value);
    }

    @Test
    void invalidJsonBodyIsRejected() throws IOException, InterruptedException {
        HttpResponse<String> response = httpClient.send(
                HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(400, response.statusCode());
        assertEquals("invalid_request_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
    }

    @Test
    void unknownPathIsNotFound() throws IOException, InterruptedException {
        HttpResponse<String> response = httpClient.send(
                HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/embeddings"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(404, response.statusCode());
        assertEquals("unknown_url", new JsonObject(response.body()).getJsonObject("error").getString("code"));
    }

    @Test
    void sourcesListEveryRecordingFile() {
        String sources = utf8(RecordingCatalog.readResource("SOURCES.md"));
        List<String> files = new ArrayList<>(RecordingCatalog.SSE_FILES);
        files.addAll(RecordingCatalog.JSON_LINES_FILES);

        for (String file : files) {
            assertThat(sources).as("SOURCES.md row for %s", file).contains("| `" + file + "` |");
        }
        long rows = sources.lines().filter(line -> line.startsWith("| `")).count();
        assertEquals(files.size(), rows);
    }

    @Test
    void stopClosesHangingConnection() throws IOException {
        UpstreamSimulator other = new UpstreamSimulator();
        int port = other.start(0);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            String body = streamRequest(Map.of("sim_fault", "hang")).encode();
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertEquals(200, readStatusLine(in));
            readHeaders(in);

            other.stop();

            assertEquals(-1, in.read(), "the connection should be closed by stop()");
        }
        ReceivedRequest received = other.lastRequest().orElseThrow();
        assertFalse(received.completed());
        assertFalse(received.clientClosedEarly(), "a close by stop() is not a client close");
    }

    @Test
    void baseUrlUsesLoopbackAndPort() {
        assertEquals("http://127.0.0.1:" + simulator.port() + "/v1", simulator.baseUrl());
    }

    // --- expectations, computed from the resource files independently of the simulator ---

    /** Returns the exact body expected for a recording: the file for .sse, SSE-framed lines for .jsonl. */
    private static byte[] expectedBody(String name) {
        if (RecordingCatalog.SSE_FILES.contains(name + ".sse")) {
            return RecordingCatalog.readResource(name + ".sse");
        }
        StringBuilder body = new StringBuilder();
        for (String line : utf8(RecordingCatalog.readResource(name + ".jsonl")).split("\n")) {
            if (!line.isBlank()) {
                body.append("data: ").append(line).append("\n\n");
            }
        }
        return body.append("data: [DONE]\n\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] firstEvents(byte[] body, int count) {
        String text = ascii(body);
        int end = 0;
        for (int i = 0; i < count; i++) {
            end = text.indexOf("\n\n", end) + 2;
        }
        return Arrays.copyOf(body, end);
    }

    record ExpectedChoice(String content, String refusal, List<String> arguments) {}

    /** Concatenates content, refusal and tool arguments per choice from the data lines of a stream. */
    private static Map<Integer, ExpectedChoice> accumulate(byte[] body) {
        Map<Integer, StringBuilder> contents = new LinkedHashMap<>();
        Map<Integer, StringBuilder> refusals = new LinkedHashMap<>();
        Map<Integer, Map<Integer, StringBuilder>> arguments = new LinkedHashMap<>();
        Set<Integer> indexes = new TreeSet<>();
        for (String line : utf8(body).split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            for (Object item : new JsonObject(line.substring(6)).getJsonArray("choices", new JsonArray())) {
                JsonObject choice = (JsonObject) item;
                int index = choice.getInteger("index", 0);
                indexes.add(index);
                JsonObject delta = choice.getJsonObject("delta", new JsonObject());
                if (delta.getValue("content") instanceof String text) {
                    contents.computeIfAbsent(index, key -> new StringBuilder()).append(text);
                }
                if (delta.getValue("refusal") instanceof String text) {
                    refusals.computeIfAbsent(index, key -> new StringBuilder()).append(text);
                }
                for (Object call : delta.getJsonArray("tool_calls", new JsonArray())) {
                    JsonObject function = ((JsonObject) call).getJsonObject("function", new JsonObject());
                    arguments.computeIfAbsent(index, key -> new LinkedHashMap<>())
                            .computeIfAbsent(((JsonObject) call).getInteger("index"), key -> new StringBuilder())
                            .append(function.getString("arguments", ""));
                }
            }
        }
        Map<Integer, ExpectedChoice> choices = new LinkedHashMap<>();
        for (int index : indexes) {
            choices.put(index, new ExpectedChoice(
                    textOrNull(contents.get(index)),
                    textOrNull(refusals.get(index)),
                    arguments.getOrDefault(index, Map.of()).values().stream().map(StringBuilder::toString).toList()));
        }
        return choices;
    }

    private static String textOrNull(StringBuilder text) {
        return text == null ? null : text.toString();
    }

    private static List<String> toolArguments(JsonObject message) {
        JsonArray calls = message.getJsonArray("tool_calls", new JsonArray());
        return calls.stream()
                .map(call -> ((JsonObject) call).getJsonObject("function").getString("arguments"))
                .toList();
    }

    // --- requests ---

    private static JsonObject streamRequest(Map<String, String> metadata) {
        return request(true, metadata);
    }

    private static JsonObject request(boolean stream, Map<String, String> metadata) {
        JsonObject json = new JsonObject();
        metadata.forEach(json::put);
        return new JsonObject()
                .put("model", "gpt-4o")
                .put("stream", stream)
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hi")))
                .put("metadata", json);
    }

    private static HttpResponse<String> httpPost(JsonObject body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer test-token")
                .header("Content-Type", "application/json")
                .timeout(READ_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        return httpClient.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static RawResponse post(JsonObject body) throws IOException {
        try (Socket socket = connect()) {
            send(socket, body);
            return readResponse(socket);
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), simulator.port());
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        return socket;
    }

    private static void send(Socket socket, JsonObject body) throws IOException {
        byte[] bytes = body.toBuffer().getBytes();
        String head = "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + simulator.port() + "\r\n"
                + "Authorization: Bearer test-token\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    // --- a minimal HTTP/1.1 response reader that keeps chunk boundaries ---

    /**
     * A response as read from the socket. {@code complete} is true when the body ended as
     * its framing specifies (last chunk or full Content-Length). Otherwise {@code failure}
     * is the I/O error that stopped reading.
     */
    record RawResponse(int status, Map<String, String> headers, List<byte[]> chunks, boolean complete,
            IOException failure, long firstByteMillis) {

        byte[] body() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            chunks.forEach(body::writeBytes);
            return body.toByteArray();
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static RawResponse readResponse(Socket socket) throws IOException {
        long start = System.nanoTime();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        int status = readStatusLine(in);
        long firstByteMillis = elapsedMillis(start);
        Map<String, String> headers = readHeaders(in);
        List<byte[]> chunks = new ArrayList<>();
        try {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (byte[] chunk = readChunk(in); chunk != null; chunk = readChunk(in)) {
                    chunks.add(chunk);
                }
            } else {
                chunks.add(readExactly(in, Integer.parseInt(headers.get("content-length"))));
            }
        } catch (IOException e) {
            return new RawResponse(status, headers, chunks, false, e, firstByteMillis);
        }
        return new RawResponse(status, headers, chunks, true, null, firstByteMillis);
    }

    private static int readStatusLine(InputStream in) throws IOException {
        String line = readLine(in);
        assertTrue(line.startsWith("HTTP/1.1 "), "unexpected status line: " + line);
        return Integer.parseInt(line.substring(9, 12));
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }

    /** Returns the next chunk's data, or null after the last chunk and its trailers. */
    private static byte[] readChunk(InputStream in) throws IOException {
        String sizeLine = readLine(in);
        int semicolon = sizeLine.indexOf(';');
        int size = Integer.parseInt(semicolon < 0 ? sizeLine.trim() : sizeLine.substring(0, semicolon).trim(), 16);
        if (size == 0) {
            while (!readLine(in).isEmpty()) {
                // Trailer fields are not used.
            }
            return null;
        }
        byte[] data = readExactly(in, size);
        assertEquals("", readLine(in), "chunk data should end with CRLF");
        return data;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int current = in.read(); ; current = in.read()) {
            if (current < 0) {
                throw new EOFException("connection closed in the middle of a line: " + line);
            }
            if (previous == '\r' && current == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(current);
            previous = current;
        }
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            throw new EOFException("connection closed after " + data.length + " of " + length + " bytes");
        }
        return data;
    }

    // --- waiting for the simulator's bookkeeping, which runs on its event loop ---

    private static ReceivedRequest awaitLastRequest(Predicate<ReceivedRequest> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedRequest last = simulator.lastRequest().orElse(null);
            if (last != null && condition.test(last)) {
                return last;
            }
            sleep(10);
        }
        return simulator.lastRequest().orElseThrow(() -> new AssertionError("no request was recorded"));
    }

    /** Waits until bytes written stop growing for 300 ms, as they do once back-pressure pauses the stream. */
    private static long awaitStableBytesWritten() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long previous = -1;
        while (System.nanoTime() < deadline) {
            long current = simulator.lastRequest().map(ReceivedRequest::bytesWritten).orElse(0L);
            if (current > 0 && current == previous) {
                return current;
            }
            previous = current;
            sleep(300);
        }
        throw new AssertionError("bytes written kept growing for 10 s: " + previous);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }

    private static long elapsedMillis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
