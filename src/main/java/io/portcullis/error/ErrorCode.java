package io.portcullis.error;

/**
 * Stable error codes of the gateway, each with its HTTP status, OpenAI error type and a
 * constant message. Callers and SIEM rules match on {@link #code()}, so a code is never
 * renamed once released; docs/errors.md describes every one.
 */
public enum ErrorCode {
    INVALID_JSON(400, "invalid_request_error", "invalid_json",
            "The request body is not valid JSON. Send a JSON object."),
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request",
            "The request is invalid."),
    UNMASKABLE_SENSITIVE_DATA(400, "invalid_request_error", "unmaskable_sensitive_data",
            "The request has sensitive data of a type that the policy masks in a place the gateway cannot mask,"
                    + " such as a member name, a message's name or a URL. Remove it, or move it into message content."),
    INVALID_SESSION_ID(400, "invalid_request_error", "invalid_session_id",
            "X-Session-Id must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'."),
    UNAUTHENTICATED(401, "authentication_error", "invalid_token",
            "A valid bearer token from a trusted identity provider is required."),
    TOKEN_MISSING(401, "authentication_error", "missing_token",
            "A bearer token from a trusted identity provider is required. Send it as 'Authorization: Bearer <token>'."),
    SESSION_FORBIDDEN(403, "permission_error", "session_forbidden",
            "This session belongs to another identity. Omit X-Session-Id to start a new session."),
    POLICY_DENIED(403, "permission_error", "policy_denied",
            "The policy denied the request."),
    APPROVAL_DENIED(403, "permission_error", "approval_denied",
            "An approver denied this request."),
    APPROVAL_EXPIRED(403, "permission_error", "approval_expired",
            "Nobody approved this request before its approval expired. Send it again to ask again."),
    APPROVAL_CANCELLED(403, "permission_error", "approval_cancelled",
            "The approval was cancelled because the caller disconnected. Send the request again to ask again."),
    APPROVAL_MISMATCH(403, "permission_error", "approval_mismatch",
            "The approval in X-Portcullis-Approval-Id was given to another identity or another request."),
    APPROVAL_FORBIDDEN(403, "permission_error", "approval_forbidden",
            "You may not vote on this approval."),
    NOT_FOUND(404, "invalid_request_error", "not_found",
            "No such endpoint."),
    SESSION_NOT_FOUND(404, "invalid_request_error", "session_not_found",
            "No recorded session with this id is visible to the caller."),
    EVENT_NOT_FOUND(404, "invalid_request_error", "event_not_found",
            "The session has no recorded response with this event id."),
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found",
            "The model does not exist or is not served by this gateway."),
    APPROVAL_NOT_FOUND(404, "invalid_request_error", "approval_not_found",
            "No such approval."),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed",
            "The HTTP method is not allowed on this endpoint."),
    APPROVAL_CLOSED(409, "invalid_request_error", "approval_closed",
            "The approval is no longer pending."),
    APPROVAL_ALREADY_VOTED(409, "invalid_request_error", "approval_already_voted",
            "You have already voted on this approval."),
    REQUEST_TOO_LARGE(413, "invalid_request_error", "request_too_large",
            "The request body is larger than this gateway accepts."),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", "unsupported_media_type",
            "Send the request body as application/json."),
    HEADERS_TOO_LARGE(431, "invalid_request_error", "headers_too_large",
            "The request headers are larger than this gateway accepts."),
    INTERNAL_ERROR(500, "server_error", "internal_error",
            "The gateway failed to process the request."),
    MASKING_FAILED(500, "server_error", "masking_failed",
            "The gateway could not mask the answer, so the rest of it was not delivered."),
    UPSTREAM_ERROR(502, "upstream_error", "upstream_error",
            "The upstream model server returned an error."),
    UPSTREAM_UNAVAILABLE(502, "upstream_error", "upstream_unavailable",
            "The upstream model server could not be reached."),
    UPSTREAM_AUTH_FAILED(502, "upstream_error", "upstream_auth_failed",
            "The upstream model server rejected the gateway's credentials."),
    UPSTREAM_INVALID_RESPONSE(502, "upstream_error", "upstream_invalid_response",
            "The upstream model server sent a response that is not valid."),
    UPSTREAM_STREAM_TRUNCATED(502, "upstream_error", "upstream_stream_truncated",
            "The upstream model server ended the stream before it was complete."),
    SESSION_STORE_UNAVAILABLE(503, "server_error", "session_store_unavailable",
            "The session store is unavailable, so the request was not forwarded."),
    APPROVAL_STORE_UNAVAILABLE(503, "server_error", "approval_store_unavailable",
            "The approval store is unavailable, so the request was not forwarded."),
    RECORDING_UNAVAILABLE(503, "server_error", "recording_unavailable",
            "The session recording store is unavailable, so the request was not answered."),
    POLICY_UNAVAILABLE(503, "server_error", "policy_unavailable",
            "The policy service could not be reached or did not answer in time, so the request was not forwarded."),
    PSEUDONYM_STORE_UNAVAILABLE(503, "server_error", "pseudonym_store_unavailable",
            "The store of the session's pseudonyms is unavailable, so the prompt could not be masked and was not forwarded."),
    POLICY_INVALID(503, "server_error", "policy_invalid",
            "The policy service returned a decision that this gateway cannot apply, so the request was not forwarded."),
    UPSTREAM_TIMEOUT(504, "upstream_error", "upstream_timeout",
            "The upstream model server did not respond in time.");

    private final int status;
    private final String type;
    private final String code;
    private final String message;

    ErrorCode(int status, String type, String code, String message) {
        this.status = status;
        this.type = type;
        this.code = code;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }
}
