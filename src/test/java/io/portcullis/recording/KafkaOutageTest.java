package io.portcullis.recording;

import io.portcullis.observability.PrometheusText;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The outbox relay across a Kafka outage. A broker of the test's own is killed while requests
 * keep flowing, then started again. A consumer must then receive every event of those
 * sessions in per-session order, once duplicates are removed by CloudEvents id.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
@QuarkusTestResource(value = KafkaOutageTest.Broker.class, restrictToAnnotatedClass = true)
class KafkaOutageTest {

    static final String TOPIC = "portcullis.session-events.outage-test";
    static final int BROKER_PORT = 8490;
    static final int CONTROLLER_PORT = 8491;
    static final String BACKLOG = "portcullis_outbox_backlog_events";

    static OwnKafkaBroker broker;

    /** Starts the test's own broker before the gateway boots and points the relay at it. */
    public static class Broker implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            broker = new OwnKafkaBroker(BROKER_PORT, CONTROLLER_PORT);
            broker.start();
            return Map.of(
                    "portcullis.recording.kafka.bootstrap-servers", broker.bootstrapServers(),
                    "portcullis.recording.kafka.topic", TOPIC,
                    "portcullis.recording.kafka.delivery-timeout", "6s");
        }

        @Override
        public void stop() {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void consumerGetsEveryEventAcrossOutage() throws Exception {
        GatewayStackResource.policy.reset();
        String token = Tokens.alice();
        List<String> sessions = List.of("outage-a-" + UUID.randomUUID(), "outage-b-" + UUID.randomUUID(),
                "outage-c-" + UUID.randomUUID());
        try (EventCollector collector = new EventCollector(broker.bootstrapServers())) {
            sendRequests(token, sessions, 2);
            awaitEvents(collector, sessions);

            broker.kill();
            sendRequests(token, sessions, 2);
            // While the broker is down, the new events wait in the outbox.
            assertThat(pendingOutboxRows(sessions)).isGreaterThan(0);
            // The replica stays ready, and the outage shows in the health details and the backlog gauge.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(KafkaOutageTest::brokerDetail, "unreachable"::equals);
            given().when().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> PrometheusText.sum(PrometheusText.scrape(), BACKLOG) > 0);

            broker.start();
            sendRequests(token, sessions, 1);

            Map<String, List<String>> expected = awaitEvents(collector, sessions);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(KafkaOutageTest::brokerDetail, "reachable"::equals);
            for (String session : sessions) {
                assertThat(expected.get(session)).as("events of %s", session).hasSize(5 * 4);
                assertThat(collector.firstSeenOrder(session)).as("events of %s in Kafka", session)
                        .isEqualTo(expected.get(session));
            }
            for (ConsumerRecord<String, String> record : collector.records()) {
                JsonObject event = new JsonObject(record.value());
                assertThat(record.key()).isEqualTo(event.getString("sessionid"));
                assertThat(event.getString("specversion")).isEqualTo("1.0");
            }
        }
    }

    /** Returns {@code data.broker} of the readiness check {@code kafka}. */
    private static String brokerDetail() {
        return given().when().get("/q/health/ready").then().extract()
                .path("checks.find { it.name == 'kafka' }.data.broker");
    }

    private static void sendRequests(String token, List<String> sessions, int perSession) {
        for (int i = 0; i < perSession; i++) {
            for (String session : sessions) {
                RecordingTest.chat(token, session, RecordingTest.request(i % 2 == 0, Map.of()))
                        .then().statusCode(200);
            }
        }
    }

    /** Waits until Kafka has every stored event of the sessions, and returns their ids in chain order. */
    private static Map<String, List<String>> awaitEvents(EventCollector collector, List<String> sessions) {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            expected.clear();
            expected.putAll(storedEventIds(sessions));
            return expected.values().stream().allMatch(ids -> collector.ids().containsAll(ids));
        });
        return expected;
    }

    private static Map<String, List<String>> storedEventIds(List<String> sessions) throws Exception {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        sessions.forEach(session -> ids.put(session, new ArrayList<>()));
        try (Connection connection = RecordingDatabase.connect();
                var query = connection.prepareStatement("SELECT session_id, event_id FROM session_event"
                        + " WHERE session_id = ANY(?) ORDER BY session_id, sequence")) {
            query.setArray(1, connection.createArrayOf("varchar", sessions.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.get(rows.getString(1)).add(rows.getString(2));
                }
            }
        }
        return ids;
    }

    private static int pendingOutboxRows(List<String> sessions) throws Exception {
        try (Connection connection = RecordingDatabase.connect();
                var query = connection.prepareStatement("SELECT count(*) FROM event_outbox"
                        + " WHERE session_id = ANY(?) AND published_at IS NULL")) {
            query.setArray(1, connection.createArrayOf("varchar", sessions.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Reads the topic from the beginning on a thread of its own, through the outage. */
    static final class EventCollector implements AutoCloseable {

        private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        EventCollector(String bootstrapServers) {
            thread = Thread.ofPlatform().name("outage-test-consumer").start(() -> consume(bootstrapServers));
        }

        private void consume(String bootstrapServers) {
            Map<String, Object> config = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                    new StringDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                while (running && partitions.isEmpty()) {
                    List<PartitionInfo> infos = consumer.partitionsFor(TOPIC, Duration.ofSeconds(5));
                    infos.forEach(info -> partitions.add(new TopicPartition(TOPIC, info.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
        }

        List<ConsumerRecord<String, String>> records() {
            return records;
        }

        Set<String> ids() {
            Set<String> ids = new LinkedHashSet<>();
            records.forEach(record -> ids.add(new JsonObject(record.value()).getString("id")));
            return ids;
        }

        /** Returns a session's event ids in the order Kafka delivered them, each at its first delivery. */
        List<String> firstSeenOrder(String session) {
            Set<String> ids = new LinkedHashSet<>();
            for (ConsumerRecord<String, String> record : records) {
                if (session.equals(record.key())) {
                    ids.add(new JsonObject(record.value()).getString("id"));
                }
            }
            return List.copyOf(ids);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(Duration.ofSeconds(10));
        }
    }
}
