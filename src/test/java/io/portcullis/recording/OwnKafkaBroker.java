package io.portcullis.recording;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka broker of its own for a test, run from the jars that stack/kafka.sh
 * installs into {@code $PORTCULLIS_CACHE/kafka-<version>/lib}, with its data in a temporary
 * folder. Tests stop and start it to cause an outage; the shared broker is never touched.
 */
final class OwnKafkaBroker implements AutoCloseable {

    private final int port;
    private final int controllerPort;
    private final Path home;
    private final Path config;
    private final Path log;
    private Process process;

    OwnKafkaBroker(int port, int controllerPort) {
        this.port = port;
        this.controllerPort = controllerPort;
        try {
            home = Files.createTempDirectory("portcullis-own-kafka");
            config = home.resolve("server.properties");
            log = Path.of("target", "own-kafka-" + port + ".log").toAbsolutePath();
            Files.writeString(config, serverProperties());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Formats the storage on the first call, then starts the broker and waits until it serves metadata. */
    void start() {
        requireFreePort(port);
        requireFreePort(controllerPort);
        if (!Files.exists(home.resolve("kraft").resolve("meta.properties"))) {
            run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                    config.toString()));
        }
        process = spawn(List.of("kafka.Kafka", config.toString()));
        awaitReady(Duration.ofSeconds(90));
    }

    /** Kills the broker process at once, as a crash or a network cut would end it. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        kill();
    }

    private String serverProperties() {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + home.resolve("kraft"),
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    private static Path kafkaLib() {
        String cache = System.getenv().getOrDefault("PORTCULLIS_CACHE",
                System.getProperty("user.home") + "/.cache/portcullis");
        String version = System.getenv().getOrDefault("PORTCULLIS_KAFKA_VERSION", "4.1.2");
        Path lib = Path.of(cache, "kafka-" + version, "lib");
        if (!Files.exists(lib.resolve(".complete"))) {
            throw new IllegalStateException("No Kafka jars in " + lib + "; install them with stack/kafka.sh install");
        }
        return lib;
    }

    private Process spawn(List<String> mainAndArguments) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xms64m", "-Xmx256m",
                "-Dlog4j2.configurationFile=" + Path.of("stack/kafka/log4j2.properties").toAbsolutePath(),
                "-Dportcullis.kafka.log=" + log, "-cp", kafkaLib() + "/*"));
        command.addAll(mainAndArguments);
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Starting " + mainAndArguments.get(0) + " failed", e);
        }
    }

    private void run(List<String> mainAndArguments) {
        Process tool = spawn(mainAndArguments);
        try {
            if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                throw new IllegalStateException(mainAndArguments.get(0) + " failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The Kafka broker on port " + port + " exited; see " + log);
                }
                try {
                    admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    Thread.sleep(500);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("The Kafka broker on port " + port + " was not ready within " + timeout
                + "; see " + log);
    }

    private static void requireFreePort(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        } catch (IOException e) {
            return;
        }
        throw new IllegalStateException("Port " + port + " is taken; the test's own Kafka broker needs it");
    }
}
