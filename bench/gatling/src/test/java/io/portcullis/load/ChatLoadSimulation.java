package io.portcullis.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat completions at constant arrival rates (open injection): each second, a fixed number of
 * new virtual users start, each sends one request and ends, whether or not earlier requests
 * have completed. So queueing in the server shows in the latency instead of slowing down
 * the load, as it would in a closed loop.
 *
 * <p>For each mode and target there is first a warm-up at the lowest rate, whose requests are
 * named {@code warmup ...}, then one step per rate. At each rate the targets take turns, and
 * a step starts when every request of the previous one has ended. Request names, which the
 * statistics are grouped by:
 * <ul>
 *   <li>{@code plain TARGET RATE/s}: a non-streamed request, until its body has been read.
 *   <li>{@code stream TARGET RATE/s}: a group around a streamed request, from sending the
 *       request until {@code data: [DONE]} arrived.
 *   <li>{@code first event stream TARGET RATE/s}: a group inside the former, from sending the
 *       streamed request until its first SSE event with a {@code chat.completion.chunk} arrived.
 * </ul>
 * Settings are Java system properties, listed in {@link LoadSettings} and bench/README.md.
 */
public class ChatLoadSimulation extends Simulation {

    private static final String CHAT_PATH = "/v1/chat/completions";

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final OidcTokens tokens = settings.needsTokens()
            ? new OidcTokens(settings.tokenEndpoint(),
                    OidcTokens.parseIdentities(settings.identitiesSpec(), settings.passwordClientId()),
                    settings.renewalMargin())
            : null;

    {
        List<PopulationBuilder> steps = new ArrayList<>();
        int lowestRate = settings.rates().stream().min(Integer::compare).orElseThrow();
        for (String mode : settings.modes()) {
            for (LoadSettings.Target target : settings.targets()) {
                steps.add(step(mode, target, "warmup " + mode + " " + target.name(), lowestRate, settings.warmup()));
            }
            for (int rate : settings.rates()) {
                for (LoadSettings.Target target : settings.targets()) {
                    steps.add(step(mode, target, mode + " " + target.name() + " " + rate + "/s", rate,
                            settings.duration()));
                }
            }
        }
        // andThen starts its argument once every user of the receiver has ended, so nesting
        // from the last step backwards runs the steps one after another.
        PopulationBuilder chain = steps.getLast();
        for (int i = steps.size() - 2; i >= 0; i--) {
            chain = steps.get(i).andThen(chain);
        }
        setUp(chain);
    }

    @Override
    public void after() {
        if (tokens != null) {
            System.out.println("TOKENS identities=" + tokens.identities().size() + " renewals=" + tokens.renewals());
            tokens.close();
        }
    }

    private PopulationBuilder step(String mode, LoadSettings.Target target, String name, int rate, Duration length) {
        ChainBuilder request = mode.equals("stream") ? streamed(target, name) : plain(target, name);
        return scenario(name).exec(request)
                .injectOpen(constantUsersPerSec(rate).during(length))
                .protocols(protocol(target));
    }

    private HttpProtocolBuilder protocol(LoadSettings.Target target) {
        // One connection pool for all virtual users, as an API client or another gateway
        // keeps it, instead of a new connection for each request.
        return http.baseUrl(target.baseUrl())
                .shareConnections()
                .contentTypeHeader("application/json")
                .userAgentHeader("portcullis-load")
                .disableCaching();
    }

    private ChainBuilder plain(LoadSettings.Target target, String name) {
        return exec(http(name).post(CHAT_PATH)
                .header("Authorization", session -> authorization(target))
                .body(StringBody(requestBody(false)))
                .requestTimeout(settings.requestTimeout())
                .check(status().is(200), substring("\"finish_reason\"")));
    }

    private ChainBuilder streamed(LoadSettings.Target target, String name) {
        // Gatling times the connect until the response headers, and a check set on the
        // connect from then on, so the inner group adds both up to the first event.
        return group(name).on(
                group("first event " + name).on(
                        exec(sse("connect " + name).post(CHAT_PATH)
                                .header("Authorization", session -> authorization(target))
                                .body(StringBody(requestBody(true)))
                                .await(settings.requestTimeout())
                                .on(sse.checkMessage("first chunk " + name).check(substring("chat.completion.chunk")))))
                .exec(sse("wait for done " + name).setCheck()
                        .await(settings.requestTimeout())
                        .on(sse.checkMessage("done " + name).matching(substring("[DONE]"))))
                .exec(sse("close " + name).close()));
    }

    private String authorization(LoadSettings.Target target) {
        String auth = target.auth();
        if (auth.equals("oidc")) {
            return "Bearer " + tokens.next();
        }
        if (auth.startsWith("env:")) {
            return "Bearer " + System.getenv(auth.substring(4));
        }
        return "";
    }

    private String requestBody(boolean stream) {
        return "{\"model\":" + quote(settings.model()) + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + quote(settings.prompt()) + "}]}";
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
