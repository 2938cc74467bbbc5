package io.portcullis.observability;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for an OpenTelemetry collector's OTLP/HTTP receiver on 127.0.0.1: it accepts every
 * POST with 200 and records the path and body. It also counts requests, so that a test can
 * show that nothing was sent at all.
 */
final class OtlpCollector implements AutoCloseable {

    private final HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    private OtlpCollector(HttpServer server) {
        this.server = server;
    }

    static OtlpCollector start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        OtlpCollector collector = new OtlpCollector(server);
        server.createContext("/", exchange -> {
            collector.requests.incrementAndGet();
            try (InputStream body = exchange.getRequestBody()) {
                collector.paths.add(exchange.getRequestURI().getPath());
                // Protobuf bytes; Latin-1 keeps each byte as one character, so strings inside can be searched.
                collector.bodies.add(new String(body.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return collector;
    }

    /** Returns the number of requests received so far. */
    int requests() {
        return requests.get();
    }

    List<String> paths() {
        return List.copyOf(paths);
    }

    /** Waits up to {@code timeoutMillis} for a body that contains {@code text}; returns it, or null. */
    String awaitBodyContaining(String text, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            for (String body : bodies) {
                if (body.contains(text)) {
                    return body;
                }
            }
            Thread.sleep(100);
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
