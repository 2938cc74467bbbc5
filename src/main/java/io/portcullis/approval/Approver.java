package io.portcullis.approval;

import io.portcullis.authentication.CallerIdentity;

import java.util.List;

/** The person who votes on an approval, as the bearer token or the page's sign-in names them. */
public record Approver(String issuer, String subject, String username, List<String> groups) {

    public Approver {
        groups = List.copyOf(groups);
    }

    public static Approver of(CallerIdentity caller) {
        return new Approver(caller.issuer(), caller.subject(), caller.username(), caller.groups());
    }

    /** Returns the name shown to others: the username, else the subject. */
    public String displayName() {
        return username != null ? username : subject;
    }
}
