package io.portcullis.api;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: an incoming {@code X-Request-Id} is kept when it is safe to log and echo, else one is generated. */
final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private RequestIds() {
    }

    static String resolve(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }
}
