package io.portcullis.approval;

import io.portcullis.authentication.CallerIdentity;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Builds what approvers see about a held request or tool call, and the digests that retries share. */
public final class ApprovalContexts {

    private ApprovalContexts() {
    }

    /** Describes the requester: names, groups, client and purpose, never the token. */
    public static JsonObject requester(CallerIdentity caller) {
        JsonArray actors = new JsonArray();
        for (CallerIdentity.Actor actor = caller.actor(); actor != null; actor = actor.actor()) {
            actors.add(actor.clientId() != null ? actor.clientId() : actor.subject());
        }
        return new JsonObject()
                .put("username", caller.username())
                .put("subject", caller.subject())
                .put("issuer", caller.issuer())
                .put("client_id", caller.clientId())
                .put("agent", caller.agent())
                .put("purpose", caller.purpose())
                .put("groups", new JsonArray(caller.groups()))
                .put("actors", actors);
    }

    /** Returns the SHA-256 of the bytes in lowercase hex. */
    public static String digest(Buffer bytes) {
        return digest(bytes.getBytes());
    }

    public static String digest(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
