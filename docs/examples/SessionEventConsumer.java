import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example consumer of Portcullis session events. It reads the topic, drops redeliveries by
 * CloudEvents id, and checks that each session's events link up: every event's previoushash
 * must equal the hash of the session's event before it. Run it with the Kafka client jars:
 *
 * <pre>
 * java -cp "$PORTCULLIS_CACHE/kafka-4.1.2/lib/*" docs/examples/SessionEventConsumer.java \
 *     127.0.0.1:9092 portcullis.session-events
 * </pre>
 *
 * It prints one line per new event and a warning per broken link. A real SIEM forwarder keeps
 * the set of seen ids and the last hash per session in durable storage and commits offsets.
 */
public class SessionEventConsumer {

    // A JSON library is the better choice in production; these patterns keep the example to the Kafka jars.
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern TYPE = Pattern.compile("\"type\":\"([^\"]+)\"");
    private static final Pattern SEQUENCE = Pattern.compile("\"sessionseq\":(\\d+)");
    private static final Pattern HASH = Pattern.compile("\"hash\":\"([0-9a-f]{64})\"");
    private static final Pattern PREVIOUS = Pattern.compile("\"previoushash\":\"([0-9a-f]{64})\"");
    /** Bounds the memory of seen ids; redeliveries come soon after the original. */
    private static final int SEEN_IDS = 100_000;

    public static void main(String[] args) {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String topic = args.length > 1 ? args[1] : "portcullis.session-events";
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "siem-example");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The relay publishes in transactions; an aborted one is sent again later, in order.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<String> seen = java.util.Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > SEEN_IDS;
            }
        });
        Map<String, String> lastHash = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    handle(record, seen, lastHash);
                }
            }
        }
    }

    private static void handle(ConsumerRecord<String, String> record, Set<String> seen, Map<String, String> lastHash) {
        String event = record.value();
        String id = first(ID, event);
        if (id == null || !seen.add(id)) {
            return;
        }
        String session = record.key();
        String sequence = first(SEQUENCE, event);
        String previous = first(PREVIOUS, event);
        String hash = first(HASH, event);
        System.out.printf("%s %s #%s %s%n", session, first(TYPE, event), sequence, id);
        if (hash == null) {
            // A session.deleted event is outside the chain.
            lastHash.remove(session);
            return;
        }
        String expected = lastHash.get(session);
        if (expected != null && !expected.equals(previous)) {
            System.out.printf("WARNING session %s event #%s does not link to the event before it%n", session,
                    sequence);
        }
        lastHash.put(session, hash);
    }

    private static String first(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }
}
