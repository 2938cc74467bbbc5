package io.portcullis.approval;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the approval events that the gateway fires, as the recording stage would receive them. */
@ApplicationScoped
public class RecordedApprovalEvents {

    private final List<ApprovalEvent> events = new CopyOnWriteArrayList<>();

    void onEvent(@Observes ApprovalEvent event) {
        events.add(event);
    }

    /** Returns the ids of the approvals that the subject's requests opened at or after the instant. */
    public List<UUID> openedSince(String subject, java.time.Instant since) {
        return events.stream()
                .filter(event -> event.type() == ApprovalEvent.Type.REQUESTED && event.subject().equals(subject)
                        && !event.time().isBefore(since))
                .map(ApprovalEvent::approvalId)
                .toList();
    }

    public List<ApprovalEvent.Type> typesOf(UUID approvalId) {
        return events.stream().filter(event -> event.approvalId().equals(approvalId)).map(ApprovalEvent::type).toList();
    }
}
