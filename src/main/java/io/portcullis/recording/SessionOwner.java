package io.portcullis.recording;

/** The identity that owns a recorded session: issuer and subject, and the username for display. */
record SessionOwner(String sessionId, String issuer, String subject, String username) {
}
