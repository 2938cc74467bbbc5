package io.portcullis.masking;

import io.portcullis.testsupport.GatewayStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pseudonym store against the gateway's PostgreSQL: saving, loading and conflicting saves. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class PseudonymStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ISSUER = "https://issuer.test";
    private static final String SUBJECT = "pseudonym-store-test";

    @Inject
    Pool pool;

    private PseudonymStore store;
    private String sessionId;

    @BeforeEach
    void createSession() {
        store = new PseudonymStore(pool, new PseudonymCipher(new byte[PseudonymCipher.MIN_KEY_BYTES]));
        sessionId = "pseudonym-store-" + UUID.randomUUID();
        pool.preparedQuery("INSERT INTO session_owner (session_id, issuer, subject) VALUES ($1, $2, $3)")
                .execute(Tuple.of(sessionId, ISSUER, SUBJECT)).await().atMost(WAIT);
    }

    @Test
    void savedEntriesLoadAgain() {
        save(List.of(entry("EMAIL_ADDRESS", 1, "jane@example.com"), entry("EMAIL_ADDRESS", 2, "joe@example.com"),
                entry("PERSON", 1, "Jane Doe")));

        Pseudonyms loaded = load();
        assertThat(loaded.original("<EMAIL_ADDRESS_1>")).isEqualTo("jane@example.com");
        assertThat(loaded.original("<EMAIL_ADDRESS_2>")).isEqualTo("joe@example.com");
        assertThat(loaded.original("<PERSON_1>")).isEqualTo("Jane Doe");
    }

    @Test
    void takenOrdinalConflictsAndSavesNothing() {
        save(List.of(entry("EMAIL_ADDRESS", 1, "jane@example.com")));

        // The first entry is new, the second reuses ordinal 1: neither may be stored.
        assertThatThrownBy(() -> save(List.of(entry("PERSON", 1, "Jane Doe"),
                entry("EMAIL_ADDRESS", 1, "joe@example.com"))))
                .isInstanceOf(PseudonymStore.ConflictException.class);
        Pseudonyms loaded = load();
        assertThat(loaded.original("<EMAIL_ADDRESS_1>")).isEqualTo("jane@example.com");
        assertThat(loaded.original("<PERSON_1>")).isNull();
    }

    @Test
    void storedValueConflictsUnderAnotherOrdinal() {
        save(List.of(entry("EMAIL_ADDRESS", 1, "jane@example.com")));

        assertThatThrownBy(() -> save(List.of(entry("EMAIL_ADDRESS", 2, "jane@example.com"))))
                .isInstanceOf(PseudonymStore.ConflictException.class);
        Pseudonyms loaded = load();
        assertThat(loaded.original("<EMAIL_ADDRESS_1>")).isEqualTo("jane@example.com");
        assertThat(loaded.original("<EMAIL_ADDRESS_2>")).isNull();
    }

    @Test
    void emptySaveSendsNothing() {
        save(List.of());

        assertThat(load().isEmpty()).isTrue();
    }

    private void save(List<Pseudonyms.Entry> entries) {
        store.save(sessionId, ISSUER, SUBJECT, entries).await().atMost(WAIT);
    }

    private Pseudonyms load() {
        return store.load(sessionId, ISSUER, SUBJECT).await().atMost(WAIT);
    }

    private static Pseudonyms.Entry entry(String type, int ordinal, String value) {
        return new Pseudonyms.Entry(type, ordinal, value);
    }
}
