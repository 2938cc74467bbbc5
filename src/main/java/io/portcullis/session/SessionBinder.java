package io.portcullis.session;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Binds session ids to their owner. A caller's {@code X-Session-Id} is accepted when it is new
 * or already owned by the same issuer and subject; another identity gets 403. Without the
 * header the gateway generates an id and binds it the same way. When PostgreSQL does not
 * respond, the request fails closed with 503.
 */
@ApplicationScoped
public class SessionBinder {

    private static final Logger LOG = Logger.getLogger(SessionBinder.class);
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Inserts a new binding at turn 1, or touches an existing one and increments its turn when
     * the owner matches. A row owned by another identity is left alone and nothing is returned,
     * in one atomic statement, so concurrent requests of one session get distinct turns.
     */
    private static final String BIND = """
            INSERT INTO session_owner (session_id, issuer, subject, turn) VALUES ($1, $2, $3, 1)
            ON CONFLICT (session_id) DO UPDATE
            SET last_seen_at = now(), turn = session_owner.turn + 1
            WHERE session_owner.issuer = EXCLUDED.issuer AND session_owner.subject = EXCLUDED.subject
            RETURNING session_id, turn""";

    private final Pool client;

    @Inject
    public SessionBinder(Pool client) {
        this.client = client;
    }

    /**
     * Resolves the session of a request.
     *
     * @param requested the caller's {@code X-Session-Id}, or null to generate one
     * @return the bound session with its turn, counting this request
     */
    public Uni<BoundSession> bind(String requested, CallerIdentity caller) {
        String sessionId = requested == null ? UUID.randomUUID().toString() : requested;
        if (requested != null && !VALID_ID.matcher(requested).matches()) {
            return Uni.createFrom().failure(new GatewayException(ErrorCode.INVALID_SESSION_ID));
        }
        return client.preparedQuery(BIND)
                .execute(Tuple.of(sessionId, caller.issuer(), caller.subject()))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(failure -> storeUnavailable(failure))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        LOG.warnf("Session %s rejected: it belongs to another identity (caller issuer=%s subject=%s)",
                                sessionId, caller.issuer(), caller.subject());
                        throw new GatewayException(ErrorCode.SESSION_FORBIDDEN);
                    }
                    return new BoundSession(sessionId, rows.iterator().next().getInteger("turn"));
                });
    }

    private static GatewayException storeUnavailable(Throwable failure) {
        LOG.errorf("Session store query failed: %s", failure.toString());
        return new GatewayException(ErrorCode.SESSION_STORE_UNAVAILABLE);
    }
}
