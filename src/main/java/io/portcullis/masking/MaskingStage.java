package io.portcullis.masking;

import io.portcullis.api.ChatRequest;
import io.portcullis.api.ChatRequestParser;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.inspection.detect.DetectingFindings;
import io.portcullis.inspection.detect.CompositeDetector;
import io.portcullis.inspection.RequestTexts;
import io.portcullis.inspection.detect.Detector;
import io.portcullis.inspection.detect.Finding;
import io.portcullis.inspection.detect.ScannedPrompt;
import io.portcullis.policy.PolicyDecision.Mask;
import io.portcullis.policy.PolicyDecision.MaskMode;
import io.portcullis.session.BoundSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a decision's {@code mask}: masks the prompt texts before the request is forwarded, and
 * prepares the masking of the answer. Pseudonyms come from the session's store, and those first
 * seen in the prompt are stored before the request is forwarded, so the next turn finds them.
 */
@ApplicationScoped
public class MaskingStage {

    private static final Logger LOG = Logger.getLogger(MaskingStage.class);
    /** Prompt bodies up to this size are masked on the event loop; larger ones on a worker thread. */
    static final int INLINE_MASKING_BYTES = 8 * 1024;
    /**
     * Top-level members of a request whose strings are masked: the messages of every role, and
     * the other texts that reach the upstream (tool definitions, predicted output, the end-user
     * id and metadata).
     */
    static final List<String> PROMPT_MEMBERS = List.of("messages", "tools", "functions", "prediction", "user",
            "metadata", "stop", "response_format");
    /** Attempts to mask and store a prompt when concurrent requests of the session number the same values. */
    static final int MAX_ATTEMPTS = 3;

    private final Vertx vertx;
    private final DetectingFindings detection;
    private final PseudonymStore store;

    @Inject
    public MaskingStage(Vertx vertx, DetectingFindings detection, PseudonymStore store) {
        this.vertx = vertx;
        this.detection = detection;
        this.store = store;
    }

    /**
     * Masks the request as the decision specifies, or returns it unchanged when the decision requires no masking.
     *
     * @param scanned the findings of the request's inspection, reused for its prompt texts, or null
     *                to scan the prompt here
     */
    public Uni<MaskedRequest> apply(Mask mask, ChatRequest request, BoundSession session, CallerIdentity caller,
            ScannedPrompt scanned) {
        if (!mask.required() && !mask.restore()) {
            return Uni.createFrom().item(new MaskedRequest(request, null, null, new TreeMap<>()));
        }
        boolean pseudonymsNeeded = mask.restore() || mask.mode() == MaskMode.PSEUDONYMIZE;
        if (!pseudonymsNeeded) {
            return maskRequest(mask, request, null, scanned);
        }
        return attempt(mask, request, session, caller, scanned, 1);
    }

    /**
     * Stores the pseudonyms first seen in the answer. A value that a concurrent request of the
     * session stored meanwhile keeps the other request's number in later turns.
     */
    public void saveAnswerPseudonyms(MaskedRequest masked, BoundSession session, CallerIdentity caller) {
        if (masked.pseudonyms() == null) {
            return;
        }
        List<Pseudonyms.Entry> added = masked.pseudonyms().takeAdded();
        store.save(session.id(), caller.issuer(), caller.subject(), added).subscribe().with(
                ignored -> { },
                failure -> LOG.warnf("Could not store %d pseudonyms first seen in an answer of session %s: %s",
                        added.size(), session.id(), failure.getClass().getSimpleName()));
    }

    private Uni<MaskedRequest> attempt(Mask mask, ChatRequest request, BoundSession session, CallerIdentity caller,
            ScannedPrompt scanned, int attempt) {
        // A session's first turn has no pseudonyms yet, so it skips the load. Should a
        // concurrent request have stored some meanwhile, the save conflicts and the retry loads.
        Uni<Pseudonyms> stored = attempt == 1 && session.turn() == 1
                ? Uni.createFrom().item(Pseudonyms::empty)
                : store.load(session.id(), caller.issuer(), caller.subject());
        return stored
                .chain(pseudonyms -> maskRequest(mask, request, pseudonyms, scanned))
                .call(masked -> store.save(session.id(), caller.issuer(), caller.subject(),
                        masked.pseudonyms().takeAdded()))
                .onFailure(PseudonymStore.ConflictException.class).recoverWithUni(conflict -> {
                    if (attempt >= MAX_ATTEMPTS) {
                        LOG.warnf("Gave up storing the pseudonyms of session %s after %d conflicting attempts",
                                session.id(), attempt);
                        return Uni.createFrom().failure(new GatewayException(ErrorCode.PSEUDONYM_STORE_UNAVAILABLE));
                    }
                    return attempt(mask, request, session, caller, scanned, attempt + 1);
                });
    }

    private Uni<MaskedRequest> maskRequest(Mask mask, ChatRequest request, Pseudonyms pseudonyms,
            ScannedPrompt scanned) {
        if (request.raw().length() <= INLINE_MASKING_BYTES) {
            return Uni.createFrom().item(() -> maskNow(mask, request, pseudonyms, scanned));
        }
        return Uni.createFrom().completionStage(
                vertx.executeBlocking(() -> maskNow(mask, request, pseudonyms, scanned), false).toCompletionStage());
    }

    /**
     * Rejects a masked prompt in which a text that the inspection scanned is still present
     * unchanged with an entity of a masked type: in a place that masking does not rewrite, such
     * as a member name, a message's {@code name} or a URL. A text that masking changed was not
     * seen by the inspection and is skipped, because its entities of these types were replaced.
     *
     * @param scanned the inspection's findings, or null to scan each text here
     */
    private static void requireNothingLeft(JsonObject body, List<String> maskedTypes, CompositeDetector detector,
            ScannedPrompt scanned) {
        Set<String> types = Set.copyOf(maskedTypes);
        for (String text : RequestTexts.forDetection(body)) {
            List<Finding> found = scanned != null ? scanned.seen(text) : detector.detect(text);
            if (found == null) {
                continue;
            }
            for (Finding finding : found) {
                if (types.contains(finding.type())) {
                    LOG.warnf("Rejected a prompt with %s in a part that cannot be masked", finding.type());
                    throw new GatewayException(ErrorCode.UNMASKABLE_SENSITIVE_DATA, "The request has an entity of type "
                            + finding.type() + ", which the policy masks, in a member name, a message's name, a URL or"
                            + " another part that the gateway does not rewrite. Remove it, or move it into message"
                            + " content, where it is masked.");
                }
            }
        }
    }

    private MaskedRequest maskNow(Mask mask, ChatRequest request, Pseudonyms pseudonyms, ScannedPrompt scanned) {
        // Read once per request: custom entities from OPA data replace the detector at run time.
        CompositeDetector detector = scanned != null ? scanned.detector() : detection.detector();
        Detector promptDetector = scanned != null ? scanned : detector;
        TextMasker promptMasker = new TextMasker(promptDetector, new HashSet<>(mask.prompt()), mask.mode(), pseudonyms,
                false);
        ChatRequest forwarded = request;
        if (promptMasker.active()) {
            JsonObject body = request.json().copy();
            JsonObject prompt = new JsonObject();
            for (String member : PROMPT_MEMBERS) {
                if (body.containsKey(member)) {
                    prompt.put(member, body.getValue(member));
                }
            }
            boolean changed = MessageTexts.rewrite(prompt, promptMasker::mask);
            body.mergeIn(prompt);
            requireNothingLeft(body, mask.prompt(), detector, scanned);
            // The masked body passes the same checks as the caller's.
            forwarded = changed ? ChatRequestParser.parse(body.toBuffer()) : request;
        }
        TextMasker answerMasker = new TextMasker(detector, new HashSet<>(mask.response()), mask.mode(), pseudonyms,
                mask.restore());
        AnswerMasking answer = answerMasker.active() ? new AnswerMasking(answerMasker, detector.maxHoldBack()) : null;
        return new MaskedRequest(forwarded, answer, pseudonyms, promptMasker.maskedCounts());
    }
}
