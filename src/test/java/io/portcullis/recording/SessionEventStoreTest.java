package io.portcullis.recording;

import io.portcullis.testsupport.GatewayStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Appends to the session store against the gateway's PostgreSQL, without the request path around them. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class SessionEventStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    SessionEventStore store;

    @Test
    void appendsExtendOneChain() throws Exception {
        SessionOwner owner = owner("store-chain-" + UUID.randomUUID(), "alice");

        List<SessionEvent> first = append(owner, EventType.REQUEST_RECEIVED, EventType.DECISION_MADE);
        List<SessionEvent> second = append(owner, EventType.RESPONSE_COMPLETED);

        assertThat(first).extracting(event -> event.sequence).containsExactly(1L, 2L);
        assertThat(first.get(0).previousHash).isNull();
        assertThat(first.get(1).previousHash).isEqualTo(first.get(0).hash);
        assertThat(second.get(0).sequence).isEqualTo(3L);
        assertThat(second.get(0).previousHash).isEqualTo(first.get(1).hash);
        assertThat(RecordingDatabase.count("SELECT event_count FROM recorded_session WHERE session_id = ?",
                owner.sessionId())).isEqualTo(3);
        assertThat(RecordingDatabase.text("SELECT last_hash FROM recorded_session WHERE session_id = ?",
                owner.sessionId())).isEqualTo(second.get(0).hash);
        assertThat(storedHashes(owner.sessionId())).containsExactly(first.get(0).hash, first.get(1).hash,
                second.get(0).hash);
    }

    @Test
    void outboxRowsFollowChainOrder() throws Exception {
        SessionOwner owner = owner("store-outbox-" + UUID.randomUUID(), "alice");

        List<SessionEvent> stored = append(owner, EventType.REQUEST_RECEIVED, EventType.DECISION_MADE,
                EventType.UPSTREAM_STARTED);

        List<String> outbox = new ArrayList<>();
        try (Connection connection = RecordingDatabase.connect();
                var query = connection.prepareStatement(
                        "SELECT event_id FROM event_outbox WHERE session_id = ? ORDER BY id")) {
            query.setString(1, owner.sessionId());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    outbox.add(rows.getString(1));
                }
            }
        }
        assertThat(outbox).containsExactly(stored.get(0).eventId.toString(), stored.get(1).eventId.toString(),
                stored.get(2).eventId.toString());
    }

    @Test
    void otherOwnerIsRejected() throws Exception {
        String sessionId = "store-owner-" + UUID.randomUUID();
        append(owner(sessionId, "alice"), EventType.REQUEST_RECEIVED);

        assertThatThrownBy(() -> append(owner(sessionId, "mallory"), EventType.REQUEST_RECEIVED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recorded for another identity");
        assertThat(RecordingDatabase.count("SELECT count(*) FROM session_event WHERE session_id = ?", sessionId))
                .isEqualTo(1);
        assertThat(RecordingDatabase.count("SELECT event_count FROM recorded_session WHERE session_id = ?",
                sessionId)).isEqualTo(1);
    }

    private List<SessionEvent> append(SessionOwner owner, EventType... types) {
        List<NewEvent> events = new ArrayList<>();
        for (EventType type : types) {
            events.add(new NewEvent(type, "request-" + UUID.randomUUID(), Instant.now(),
                    new JsonObject().put("type", type.name())));
        }
        return store.append(owner, events).await().atMost(WAIT);
    }

    private static SessionOwner owner(String sessionId, String subject) {
        return new SessionOwner(sessionId, "https://issuer.test", subject, subject);
    }

    private static List<String> storedHashes(String sessionId) throws Exception {
        List<String> hashes = new ArrayList<>();
        try (Connection connection = RecordingDatabase.connect();
                var query = connection.prepareStatement(
                        "SELECT hash FROM session_event WHERE session_id = ? ORDER BY sequence")) {
            query.setString(1, sessionId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    hashes.add(rows.getString(1));
                }
            }
        }
        return hashes;
    }
}
