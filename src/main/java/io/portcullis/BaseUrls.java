package io.portcullis;

import java.net.URI;
import java.net.URISyntaxException;

/** Validation of the base URLs in the configuration, with errors that name the key and the fix. */
public final class BaseUrls {

    private BaseUrls() {
    }

    /**
     * Parses an absolute http or https URL without query, fragment or user info.
     *
     * @param key     the full configuration key, for the error message
     * @param example a valid value to suggest
     * @throws IllegalArgumentException naming the key, the value (unless it may hold a
     *                                  password) and the fix
     */
    public static URI parse(String key, String value, String example) {
        if (value.contains("@")) {
            // The value may carry a password; name the problem without printing it.
            throw new IllegalArgumentException(key + " contains '@', which means user info in the URL. Remove it and"
                    + " keep credentials out of URLs.");
        }
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                throw new URISyntaxException(value, "not an absolute http or https URL");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new URISyntaxException(value, "query and fragment are not allowed");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is invalid: " + e.getReason()
                    + ". Use an absolute URL such as " + example + ".");
        }
    }
}
