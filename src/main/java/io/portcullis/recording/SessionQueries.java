package io.portcullis.recording;

import io.portcullis.authentication.CallerIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.reactive.mutiny.Mutiny;

import java.util.List;

/**
 * Reads recorded sessions for the replay API. A caller sees the sessions recorded under its
 * own issuer and subject, and a member of {@code portcullis.recording.auditor-groups} reads all.
 */
@ApplicationScoped
public class SessionQueries {

    private final Mutiny.SessionFactory sessions;
    private final RecordingConfig config;

    @Inject
    public SessionQueries(Mutiny.SessionFactory sessions, RecordingConfig config) {
        this.sessions = sessions;
        this.config = config;
    }

    /** A session with its events in chain order. */
    record Timeline(RecordedSession session, List<SessionEvent> events) {
    }

    boolean isAuditor(CallerIdentity caller) {
        return caller.groups().stream().anyMatch(config.auditorGroups()::contains);
    }

    /** Lists the visible sessions, newest activity first. */
    Uni<List<RecordedSession>> list(CallerIdentity caller, int limit) {
        if (isAuditor(caller)) {
            return sessions.withSession(session -> session
                    .createQuery("from RecordedSession order by lastEventAt desc", RecordedSession.class)
                    .setMaxResults(limit).getResultList());
        }
        return sessions.withSession(session -> session
                .createQuery("from RecordedSession where issuer = :issuer and subject = :subject"
                        + " order by lastEventAt desc", RecordedSession.class)
                .setParameter("issuer", caller.issuer())
                .setParameter("subject", caller.subject())
                .setMaxResults(limit).getResultList());
    }

    /** Loads a visible session with its events, or null when it does not exist or is not visible. */
    Uni<Timeline> timeline(CallerIdentity caller, String sessionId) {
        return sessions.withSession(session -> session.find(RecordedSession.class, sessionId)
                .chain(head -> head == null || !visible(caller, head) ? Uni.createFrom().nullItem()
                        : session.createQuery("from SessionEvent where sessionId = :id order by sequence",
                                        SessionEvent.class)
                                .setParameter("id", sessionId).getResultList()
                                .map(events -> new Timeline(head, events))));
    }

    private boolean visible(CallerIdentity caller, RecordedSession head) {
        return isAuditor(caller) || (head.issuer.equals(caller.issuer()) && head.subject.equals(caller.subject()));
    }
}
