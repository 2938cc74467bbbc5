package io.portcullis.masking;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.masking.PseudonymCipher.Owner;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Stores the pseudonyms of sessions in PostgreSQL, sealed with {@link PseudonymCipher}. Two
 * requests of one session that number a new value at the same time collide on the table's keys;
 * the loser gets a {@link ConflictException} and masks its prompt again from a fresh load.
 */
@ApplicationScoped
public class PseudonymStore {

    private static final Logger LOG = Logger.getLogger(PseudonymStore.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String LOAD = """
            SELECT entity_type, ordinal, value_sealed FROM session_pseudonym
            WHERE session_id = $1 ORDER BY entity_type, ordinal""";
    /** All new rows in one statement, which is atomic without a transaction around it. */
    private static final String INSERT = """
            INSERT INTO session_pseudonym (session_id, entity_type, ordinal, value_digest, value_sealed)
            SELECT $1, entity_type, ordinal, value_digest, value_sealed
            FROM unnest($2::varchar[], $3::int[], $4::bytea[], $5::bytea[])
                AS added (entity_type, ordinal, value_digest, value_sealed)""";

    private final Pool client;
    private final PseudonymCipher cipher;

    @Inject
    public PseudonymStore(Pool client, MaskingConfig config) {
        this(client, new PseudonymCipher(readKey(config)));
    }

    PseudonymStore(Pool client, PseudonymCipher cipher) {
        this.client = client;
        this.cipher = cipher;
    }

    /** Thrown when another request of the session stored one of the same values or ordinals first. */
    public static final class ConflictException extends RuntimeException {
        ConflictException() {
            super("Another request of the session stored a pseudonym first", null, false, false);
        }
    }

    /**
     * Loads the pseudonyms of a session. A row that does not open with this gateway's key
     * (written under another key, or altered) fails the request, because numbering new values
     * next to it could give one placeholder to two values.
     */
    public Uni<Pseudonyms> load(String sessionId, String issuer, String subject) {
        Owner owner = new Owner(sessionId, issuer, subject);
        return client.preparedQuery(LOAD).execute(Tuple.of(sessionId))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(PseudonymStore::unavailable)
                .map(rows -> {
                    List<Pseudonyms.Entry> entries = new ArrayList<>();
                    for (Row row : rows) {
                        entries.add(open(owner, row));
                    }
                    return new Pseudonyms(entries);
                });
    }

    /**
     * Saves new pseudonyms of a session in one statement, so all of them or none are stored.
     *
     * @return a failure with {@link ConflictException} when another request stored one of the
     *         values or ordinals first; nothing was saved then
     */
    public Uni<Void> save(String sessionId, String issuer, String subject, List<Pseudonyms.Entry> added) {
        if (added.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Owner owner = new Owner(sessionId, issuer, subject);
        int size = added.size();
        String[] types = new String[size];
        Integer[] ordinals = new Integer[size];
        Buffer[] digests = new Buffer[size];
        Buffer[] sealed = new Buffer[size];
        for (int i = 0; i < size; i++) {
            Pseudonyms.Entry entry = added.get(i);
            types[i] = entry.type();
            ordinals[i] = entry.ordinal();
            digests[i] = Buffer.buffer(cipher.digest(sessionId, entry.type(), entry.value()));
            sealed[i] = Buffer.buffer(cipher.seal(owner, entry.type(), entry.value()));
        }
        return client.preparedQuery(INSERT).execute(Tuple.of(sessionId, types, ordinals, digests, sealed))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure(PseudonymStore::isConflict).transform(ignored -> new ConflictException())
                .onFailure(failure -> !(failure instanceof ConflictException)).transform(PseudonymStore::unavailable)
                .replaceWithVoid();
    }

    private Pseudonyms.Entry open(Owner owner, Row row) {
        String type = row.getString("entity_type");
        int ordinal = row.getInteger("ordinal");
        try {
            String value = cipher.open(owner, type, row.getBuffer("value_sealed").getBytes());
            return new Pseudonyms.Entry(type, ordinal, value);
        } catch (GeneralSecurityException e) {
            LOG.errorf("Pseudonym %s of session %s does not open with this gateway's key: %s", Placeholders.pseudonym(
                    type, ordinal), owner.sessionId(), e.getClass().getSimpleName());
            throw new GatewayException(ErrorCode.PSEUDONYM_STORE_UNAVAILABLE);
        }
    }

    private static boolean isConflict(Throwable failure) {
        return failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
    }

    private static Throwable unavailable(Throwable failure) {
        if (failure instanceof GatewayException) {
            return failure;
        }
        LOG.errorf("Pseudonym store query failed: %s", failure.toString());
        return new GatewayException(ErrorCode.PSEUDONYM_STORE_UNAVAILABLE);
    }

    /** Reads the master key from the key file, or generates one for this process when none is set. */
    static byte[] readKey(MaskingConfig config) {
        if (config.keyFile().isEmpty()) {
            LOG.warn("portcullis.masking.key-file is not set: pseudonyms are sealed with a key generated for this "
                    + "process, so other replicas and later restarts cannot read them. Set it to a file with "
                    + "32 random bytes in base64.");
            byte[] key = new byte[PseudonymCipher.MIN_KEY_BYTES];
            new SecureRandom().nextBytes(key);
            return key;
        }
        Path file = Path.of(config.keyFile().get());
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid portcullis.masking.key-file=" + file
                    + ": the file cannot be read (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid portcullis.masking.key-file=" + file
                    + ": the content is not base64; write 32 random bytes in base64, for example with"
                    + " 'openssl rand -base64 32'", e);
        }
        if (key.length < PseudonymCipher.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("Invalid portcullis.masking.key-file=" + file + ": the key has "
                    + key.length + " bytes; write at least " + PseudonymCipher.MIN_KEY_BYTES
                    + " random bytes in base64, for example with 'openssl rand -base64 32'");
        }
        return key;
    }
}
