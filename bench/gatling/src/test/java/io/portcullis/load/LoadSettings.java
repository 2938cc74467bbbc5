package io.portcullis.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of {@link ChatLoadSimulation}, from Java system properties. Each invalid value is
 * rejected with the property, the value and the expected form.
 *
 * @param targets          servers under load, run one after another at each rate
 * @param modes            {@code plain}, {@code stream} or both
 * @param rates            arrival rates in requests per second, run one after another
 * @param duration         measured time at each rate
 * @param warmup           time at the first rate before each target's measured steps, not reported
 * @param model            model id of every request
 * @param prompt           content of the single user message
 * @param requestTimeout   time after which a request, or a stream's wait for its next check, fails
 * @param tokenEndpoint    OIDC token endpoint for targets with {@code oidc} authentication
 * @param identitiesSpec   identities for {@link OidcTokens#parseIdentities}
 * @param passwordClientId public client of the password grant
 * @param renewalMargin    time before expiry at which a token is renewed
 */
record LoadSettings(List<Target> targets, List<String> modes, List<Integer> rates, Duration duration, Duration warmup,
        String model, String prompt, Duration requestTimeout, URI tokenEndpoint, String identitiesSpec,
        String passwordClientId, Duration renewalMargin) {

    /**
     * One server under load.
     *
     * @param name    label in the request names, such as {@code direct} or {@code gateway}
     * @param baseUrl URL without {@code /v1}
     * @param auth    {@code oidc} for the rotating identities, {@code none}, or {@code env:NAME} for a
     *                static bearer key read from the environment variable NAME
     */
    record Target(String name, String baseUrl, String auth) {
    }

    static LoadSettings fromSystemProperties() {
        List<Target> targets = new ArrayList<>();
        for (String name : list("load.targets", "direct")) {
            if (!name.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("load.targets names '" + name
                        + "'; use lower-case letters, digits and dashes");
            }
            String baseUrl = required("load.target." + name + ".url").replaceAll("/+$", "");
            URI.create(baseUrl);
            String auth = System.getProperty("load.target." + name + ".auth", "oidc");
            if (!auth.equals("oidc") && !auth.equals("none") && !auth.matches("env:[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("load.target." + name + ".auth is '" + auth
                        + "'; use oidc, none or env:VARIABLE");
            }
            if (auth.startsWith("env:") && System.getenv(auth.substring(4)) == null) {
                throw new IllegalArgumentException("load.target." + name + ".auth reads the environment variable "
                        + auth.substring(4) + ", which is not set; export the key in it");
            }
            targets.add(new Target(name, baseUrl, auth));
        }
        List<String> modes = list("load.modes", "plain,stream");
        for (String mode : modes) {
            if (!mode.equals("plain") && !mode.equals("stream")) {
                throw new IllegalArgumentException("load.modes names '" + mode + "'; use plain, stream or both");
            }
        }
        List<Integer> rates = new ArrayList<>();
        for (String rate : list("load.rates", "50,100,200")) {
            rates.add(positive("load.rates", rate));
        }
        return new LoadSettings(targets, modes, rates,
                Duration.ofSeconds(positive("load.duration", System.getProperty("load.duration", "15"))),
                Duration.ofSeconds(positive("load.warmup", System.getProperty("load.warmup", "5"))),
                System.getProperty("load.model", "smollm2-135m-instruct"),
                System.getProperty("load.prompt", "Name three colors."),
                Duration.ofSeconds(positive("load.timeout", System.getProperty("load.timeout", "10"))),
                URI.create(System.getProperty("load.token-endpoint",
                        "http://127.0.0.1:8180/realms/portcullis/protocol/openid-connect/token")),
                System.getProperty("load.identities",
                        "client:build-agent:build-agent-secret,password:alice:alice,password:bob:bob"),
                System.getProperty("load.password-client-id", "portcullis-cli"),
                Duration.ofSeconds(positive("load.token-renewal-margin",
                        System.getProperty("load.token-renewal-margin", "30"))));
    }

    boolean needsTokens() {
        return targets.stream().anyMatch(target -> target.auth().equals("oidc"));
    }

    private static List<String> list(String property, String fallback) {
        List<String> values = new ArrayList<>();
        for (String value : System.getProperty(property, fallback).split(",")) {
            if (!value.isBlank()) {
                values.add(value.trim());
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(property + " is empty; give at least one value, comma-separated");
        }
        return values;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " is not set; give the target's base URL without /v1");
        }
        return value;
    }

    private static int positive(String property, String text) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(property + " contains '" + text + "', which is not a positive integer");
    }
}
