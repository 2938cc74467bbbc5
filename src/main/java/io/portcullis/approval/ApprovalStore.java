package io.portcullis.approval;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Approvals in PostgreSQL through Hibernate Reactive. Every change of state locks the row
 * ({@code SELECT ... FOR UPDATE}), so concurrent votes on several replicas count once each, and
 * sends {@code NOTIFY portcullis_approval} in the same transaction, which PostgreSQL delivers at
 * commit. Events and webhooks go out after the commit.
 */
@ApplicationScoped
public class ApprovalStore {

    static final String CHANNEL = "portcullis_approval";
    private static final Logger LOG = Logger.getLogger(ApprovalStore.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
    private static final String OPEN_FOR_CONTENT = """
            from Approval where issuer = :issuer and subject = :subject and contentDigest = :digest
            and kind = :kind and expiresAt > :now
            and (state = 'pending' or (state = 'approved' and consumedAt is null))
            order by createdAt desc""";

    private final Vertx vertx;
    private final Mutiny.SessionFactory sessions;
    private final ApprovalConfig config;
    private final ApprovalNotifications notifications;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public ApprovalStore(Vertx vertx, Mutiny.SessionFactory sessions, ApprovalConfig config,
            ApprovalNotifications notifications) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.config = config;
        this.notifications = notifications;
    }

    /** An approval that a caller waits on, and whether this call opened it. */
    public record Opened(Approval approval, boolean created) {
    }

    /**
     * Returns the open approval of the same identity and content, or opens one. An approval is
     * open while it is pending, or approved and not yet used. When {@code waiting} is true the
     * caller counts as a waiter, which keeps a pending approval from being cancelled.
     */
    public Uni<Opened> openOrAttach(HoldRequest hold, boolean waiting) {
        return transaction(session -> findOpen(session, hold).chain(found -> {
            if (found != null) {
                if (waiting && found.state() == ApprovalState.PENDING) {
                    found.waiters++;
                }
                return Uni.createFrom().item(new Opened(found, false));
            }
            Approval created = newApproval(hold, waiting ? 1 : 0);
            return session.persist(created).replaceWith(new Opened(created, true));
        }))
                // Two replicas may open the same content at once; the unique index lets one win.
                .onFailure(ApprovalStore::isUniqueViolation).retry().atMost(1)
                .onFailure(ApprovalStore::isUniqueViolation).transform(ApprovalStore::unavailable)
                .invoke(opened -> {
                    if (opened.created()) {
                        notifications.opened(opened.approval());
                    }
                });
    }

    /**
     * Runs the store's queries once on ids that do not exist, so that Hibernate translates them and
     * loads its classes at boot instead of on the event loop of the first held request.
     */
    public Uni<Void> warmUp() {
        UUID none = new UUID(0, 0);
        return transaction(session -> session.createSelectionQuery(OPEN_FOR_CONTENT, Approval.class)
                .setParameter("issuer", "").setParameter("subject", "").setParameter("digest", "")
                .setParameter("kind", ApprovalKind.REQUEST.value()).setParameter("now", clock.instant())
                .setMaxResults(1).setLockMode(LockModeType.PESSIMISTIC_WRITE).getSingleResultOrNull()
                .chain(ignored -> session.find(Approval.class, none, LockModeType.PESSIMISTIC_WRITE))
                .chain(ignored -> alreadyVoted(session, none, new Approver("", "", null, List.of()))))
                .chain(ignored -> listPending())
                .chain(ignored -> votes(none))
                .replaceWithVoid();
    }

    /** Counts another waiter on a pending approval, for a caller that repeats a request with its id. */
    public Uni<Approval> attach(UUID id) {
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .invoke(approval -> {
                    if (approval != null && approval.state() == ApprovalState.PENDING) {
                        approval.waiters++;
                    }
                }));
    }

    public Uni<Approval> find(UUID id) {
        return SafeContext.run(vertx, () -> sessions.withSession(session -> session.find(Approval.class, id)))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(ApprovalStore::unavailable);
    }

    public Uni<List<Approval>> findAll(Collection<UUID> ids) {
        return SafeContext.run(vertx, () -> sessions.withSession(session -> session
                        .createSelectionQuery("from Approval where id in :ids", Approval.class)
                        .setParameter("ids", ids)
                        .getResultList()))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(ApprovalStore::unavailable);
    }

    /** Returns the pending approvals that have not expired, oldest first. */
    public Uni<List<Approval>> listPending() {
        Instant now = clock.instant();
        return SafeContext.run(vertx, () -> sessions.withSession(session -> session
                        .createSelectionQuery("from Approval where state = 'pending' and expiresAt > :now"
                                + " order by createdAt", Approval.class)
                        .setParameter("now", now)
                        .getResultList()))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(ApprovalStore::unavailable);
    }

    /** Returns the votes on an approval, oldest first. */
    public Uni<List<ApprovalVote>> votes(UUID id) {
        return SafeContext.run(vertx, () -> sessions.withSession(session -> session
                        .createSelectionQuery("from ApprovalVote where approvalId = :id order by createdAt",
                                ApprovalVote.class)
                        .setParameter("id", id)
                        .getResultList()))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure().transform(ApprovalStore::unavailable);
    }

    /**
     * Records a vote. A deny decides at once; approvals decide when {@code min_approvals}
     * distinct approvers have approved.
     *
     * @throws GatewayException {@code approval_not_found}, {@code approval_forbidden} for the
     *                          requester or a non-member of the approver groups,
     *                          {@code approval_closed} or {@code approval_already_voted}
     */
    public Uni<Approval> vote(UUID id, Approver approver, String verdict, String reason) {
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(approval -> {
                    checkVoter(approval, approver);
                    if (approval.state() == ApprovalState.PENDING && !approval.expiresAt.isAfter(clock.instant())) {
                        // Expired while nobody looked; the vote arrives too late.
                        return decide(session, approval, ApprovalState.EXPIRED, null).replaceWith(approval);
                    }
                    if (approval.state() != ApprovalState.PENDING) {
                        throw new GatewayException(ErrorCode.APPROVAL_CLOSED, "The approval is already "
                                + approval.state + ".");
                    }
                    return alreadyVoted(session, id, approver).chain(voted -> {
                        if (voted) {
                            throw new GatewayException(ErrorCode.APPROVAL_ALREADY_VOTED);
                        }
                        return session.persist(newVote(id, approver, verdict, reason))
                                .chain(session::flush)
                                .chain(() -> tally(session, approval, verdict, reason));
                    });
                }))
                .invoke(approval -> {
                    if (approval.state() != ApprovalState.PENDING) {
                        notifications.decided(approval, approver.displayName());
                    }
                });
    }

    /** Marks a pending approval expired once its time to live has passed. */
    public Uni<Approval> expire(UUID id) {
        AtomicBoolean changed = new AtomicBoolean();
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(approval -> {
                    if (approval == null || approval.state() != ApprovalState.PENDING
                            || approval.expiresAt.isAfter(clock.instant())) {
                        return Uni.createFrom().item(approval);
                    }
                    changed.set(true);
                    return decide(session, approval, ApprovalState.EXPIRED, null).replaceWith(approval);
                }))
                .invoke(approval -> announce(changed, approval));
    }

    /** Marks every pending approval whose time to live has passed expired; returns how many. */
    public Uni<Integer> expireOverdue() {
        Instant now = clock.instant();
        return SafeContext.run(vertx, () -> sessions.withSession(session -> session
                        .createSelectionQuery("select id from Approval where state = 'pending' and expiresAt <= :now",
                                UUID.class)
                        .setParameter("now", now)
                        .setMaxResults(100)
                        .getResultList()))
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(this::expire)
                .collect().asList()
                .map(List::size);
    }

    /** Counts one waiter less, when a held caller disconnected. */
    public Uni<Approval> detach(UUID id) {
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .invoke(approval -> {
                    if (approval != null && approval.state() == ApprovalState.PENDING) {
                        approval.waiters = Math.max(0, approval.waiters - 1);
                        approval.detachedAt = clock.instant();
                    }
                }));
    }

    /**
     * Cancels a pending approval that nobody has waited on for {@code portcullis.approval.cancel-grace}
     * since its last caller disconnected.
     */
    public Uni<Approval> cancelIfAbandoned(UUID id) {
        AtomicBoolean changed = new AtomicBoolean();
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(approval -> {
                    if (approval == null || approval.state() != ApprovalState.PENDING || approval.waiters > 0
                            || approval.detachedAt == null
                            || approval.detachedAt.plus(config.cancelGrace()).isAfter(clock.instant())) {
                        return Uni.createFrom().item(approval);
                    }
                    changed.set(true);
                    return decide(session, approval, ApprovalState.CANCELLED, null).replaceWith(approval);
                }))
                .invoke(approval -> announce(changed, approval));
    }

    /**
     * Marks an approved approval used by the request it released.
     *
     * @return true when this call used it, false when another request already had
     */
    public Uni<Boolean> consume(UUID id) {
        return transaction(session -> session.find(Approval.class, id, LockModeType.PESSIMISTIC_WRITE)
                .map(approval -> {
                    if (approval == null || approval.state() != ApprovalState.APPROVED || approval.consumedAt != null) {
                        return false;
                    }
                    approval.consumedAt = clock.instant();
                    return true;
                }));
    }

    private void announce(AtomicBoolean changed, Approval approval) {
        if (changed.get()) {
            notifications.decided(approval, null);
        }
    }

    private Uni<Approval> findOpen(Mutiny.Session session, HoldRequest hold) {
        return session.createSelectionQuery(OPEN_FOR_CONTENT, Approval.class)
                .setParameter("issuer", hold.caller().issuer())
                .setParameter("subject", hold.caller().subject())
                .setParameter("digest", hold.digest())
                .setParameter("kind", hold.kind().value())
                .setParameter("now", clock.instant())
                .setMaxResults(1)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getSingleResultOrNull();
    }

    private Approval newApproval(HoldRequest hold, int waiters) {
        Instant now = clock.instant();
        Approval approval = new Approval();
        approval.id = UUID.randomUUID();
        approval.kind = hold.kind().value();
        approval.state = ApprovalState.PENDING.value();
        approval.issuer = hold.caller().issuer();
        approval.subject = hold.caller().subject();
        approval.username = hold.caller().username();
        approval.contentDigest = hold.digest();
        approval.sessionId = hold.sessionId();
        approval.requestId = hold.requestId();
        approval.decisionId = hold.decisionId();
        approval.context = hold.context().encode();
        approval.reason = hold.approval().reason();
        approval.approverGroups = new JsonArray(hold.approval().approverGroups()).encode();
        approval.minApprovals = hold.approval().minApprovals();
        approval.waiters = waiters;
        approval.createdAt = now;
        approval.expiresAt = now.plus(ttl(hold));
        return approval;
    }

    private Duration ttl(HoldRequest hold) {
        Integer seconds = hold.approval().ttlSeconds();
        Duration requested = seconds == null ? config.defaultTtl() : Duration.ofSeconds(seconds);
        return requested.compareTo(config.maxTtl()) > 0 ? config.maxTtl() : requested;
    }

    private static void checkVoter(Approval approval, Approver approver) {
        if (approval == null) {
            throw new GatewayException(ErrorCode.APPROVAL_NOT_FOUND);
        }
        if (approval.ownedBy(approver.issuer(), approver.subject())) {
            throw new GatewayException(ErrorCode.APPROVAL_FORBIDDEN, "Nobody may approve or deny their own request.");
        }
        if (!mayVote(approval, approver)) {
            throw new GatewayException(ErrorCode.APPROVAL_FORBIDDEN,
                    "Only members of the approver groups of this approval may vote on it.");
        }
    }

    /** Returns true when the approver is in one of the approval's groups. */
    static boolean mayVote(Approval approval, Approver approver) {
        Set<String> groups = Set.copyOf(approver.groups());
        return new JsonArray(approval.approverGroups).stream().anyMatch(groups::contains);
    }

    private static Uni<Boolean> alreadyVoted(Mutiny.Session session, UUID id, Approver approver) {
        return session.createSelectionQuery("select count(*) from ApprovalVote where approvalId = :id"
                        + " and issuer = :issuer and subject = :subject", Long.class)
                .setParameter("id", id)
                .setParameter("issuer", approver.issuer())
                .setParameter("subject", approver.subject())
                .getSingleResult()
                .map(count -> count > 0);
    }

    private Uni<Approval> tally(Mutiny.Session session, Approval approval, String verdict, String reason) {
        if (ApprovalVote.DENY.equals(verdict)) {
            return decide(session, approval, ApprovalState.DENIED, reason).replaceWith(approval);
        }
        return session.createSelectionQuery("select count(*) from ApprovalVote where approvalId = :id"
                        + " and verdict = 'approve'", Long.class)
                .setParameter("id", approval.id)
                .getSingleResult()
                .chain(approvals -> approvals >= approval.minApprovals
                        ? decide(session, approval, ApprovalState.APPROVED, reason).replaceWith(approval)
                        : Uni.createFrom().item(approval));
    }

    private Uni<Void> decide(Mutiny.Session session, Approval approval, ApprovalState state, String reason) {
        approval.state = state.value();
        approval.decidedAt = clock.instant();
        approval.decisionReason = reason;
        LOG.infof("Approval %s is %s", approval.id, state.value());
        // The id is a UUID that this class generated, so it is safe to write into the statement.
        return session.flush().chain(() -> session
                .createNativeQuery("NOTIFY " + CHANNEL + ", '" + approval.id + "'")
                .executeUpdate()
                .replaceWithVoid());
    }

    private ApprovalVote newVote(UUID approvalId, Approver approver, String verdict, String reason) {
        ApprovalVote vote = new ApprovalVote();
        vote.id = UUID.randomUUID();
        vote.approvalId = approvalId;
        vote.issuer = approver.issuer();
        vote.subject = approver.subject();
        vote.username = approver.username();
        vote.verdict = verdict;
        vote.reason = reason;
        vote.createdAt = clock.instant();
        return vote;
    }

    private <T> Uni<T> transaction(Function<Mutiny.Session, Uni<T>> work) {
        return SafeContext.run(vertx, () -> sessions.withTransaction((session, tx) -> work.apply(session)))
                .ifNoItem().after(QUERY_TIMEOUT).fail()
                .onFailure(failure -> !(failure instanceof GatewayException) && !isUniqueViolation(failure))
                .transform(ApprovalStore::unavailable);
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unavailable(Throwable failure) {
        if (failure instanceof GatewayException) {
            return failure;
        }
        LOG.errorf("Approval store query failed: %s", failure.toString());
        return new GatewayException(ErrorCode.APPROVAL_STORE_UNAVAILABLE);
    }
}
