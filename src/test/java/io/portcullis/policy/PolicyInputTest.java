package io.portcullis.policy;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.inspection.Findings;
import io.portcullis.inspection.RequestSummary;
import io.portcullis.session.BoundSession;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyInputTest {

    private static final Instant NOW = Instant.parse("2026-12-04T17:25:03.120456Z");

    @Test
    void chatInputMatchesContract() {
        CallerIdentity alice = new CallerIdentity("http://127.0.0.1:8180/realms/portcullis", "2c1f", "alice",
                "alice@example.com", List.of("engineers"), List.of("llm-user"), "portcullis-cli", false,
                "code-review", null, Instant.parse("2026-12-04T17:30:00Z"));
        RequestSummary summary = new RequestSummary("chat.completions", "smollm2-135m-instruct", true, 256, 1,
                List.of("get_weather"), 3, 812);
        PolicyInput input = new PolicyInput(alice, summary, Findings.of(Map.of("EMAIL_ADDRESS", 1)),
                new BoundSession("review-42", 3), new Source("10.1.2.3", "OpenAI/Python 2.8.1"), NOW);

        JsonObject expected = new JsonObject("""
                {
                  "version": "portcullis.policy.input/v1",
                  "identity": {
                    "issuer": "http://127.0.0.1:8180/realms/portcullis",
                    "subject": "2c1f",
                    "username": "alice",
                    "email": "alice@example.com",
                    "groups": ["engineers"],
                    "roles": ["llm-user"],
                    "client_id": "portcullis-cli",
                    "agent": false,
                    "purpose": "code-review",
                    "actor": null,
                    "expires_at": "2026-12-04T17:30:00Z"
                  },
                  "request": {
                    "api": "chat.completions",
                    "model": "smollm2-135m-instruct",
                    "stream": true,
                    "max_tokens": 256,
                    "n": 1,
                    "tools": ["get_weather"],
                    "message_count": 3,
                    "estimated_prompt_tokens": 812
                  },
                  "findings": {"EMAIL_ADDRESS": 1},
                  "session": {"id": "review-42", "turn": 3},
                  "source": {"address": "10.1.2.3", "user_agent": "OpenAI/Python 2.8.1"},
                  "time": "2026-12-04T17:25:03.120Z"
                }""");
        assertThat(new JsonObject(input.toJson().encode())).isEqualTo(expected);
    }

    @Test
    void delegationChainIsNested() {
        CallerIdentity.Actor chain = new CallerIdentity.Actor("agent-2", "delegating-agent",
                new CallerIdentity.Actor("agent-1", "build-agent", null));
        CallerIdentity caller = new CallerIdentity("iss", "alice", null, null, List.of(), List.of(), "client", true,
                null, chain, null);
        JsonObject identity = input(caller, RequestSummary.modelsList(), null).getJsonObject("identity");
        assertThat(identity.getJsonObject("actor")).isEqualTo(new JsonObject("""
                {"subject": "agent-2", "client_id": "delegating-agent",
                 "actor": {"subject": "agent-1", "client_id": "build-agent", "actor": null}}"""));
        assertThat(identity.getBoolean("agent")).isTrue();
        assertThat(identity.containsKey("expires_at")).isTrue();
        assertThat(identity.getValue("expires_at")).isNull();
    }

    @Test
    void modelsListInputHasApiOnly() {
        CallerIdentity caller = new CallerIdentity("iss", "sub", null, null, List.of(), List.of(), null, false,
                null, null, NOW);
        JsonObject json = input(caller, RequestSummary.modelsList(), null);
        assertThat(json.getJsonObject("request")).isEqualTo(new JsonObject().put("api", "models.list"));
        assertThat(json.containsKey("session")).isTrue();
        assertThat(json.getValue("session")).isNull();
        assertThat(json.getJsonObject("findings")).isEmpty();
    }

    @Test
    void absentMaxTokensIsNull() {
        RequestSummary summary = new RequestSummary("chat.completions", "m", false, null, 1, List.of(), 1, 1);
        CallerIdentity caller = new CallerIdentity("iss", "sub", null, null, List.of(), List.of(), null, false,
                null, null, NOW);
        JsonObject request = input(caller, summary, new BoundSession("s", 1)).getJsonObject("request");
        assertThat(request.containsKey("max_tokens")).isTrue();
        assertThat(request.getValue("max_tokens")).isNull();
    }

    @Test
    void wholeMillisecondsKeepTheirDigits() {
        CallerIdentity caller = new CallerIdentity("iss", "sub", null, null, List.of(), List.of(), null, false,
                null, null, NOW);
        PolicyInput input = new PolicyInput(caller, RequestSummary.modelsList(), Findings.none(), null,
                new Source(null, null), Instant.parse("2026-12-04T17:25:03Z"));
        assertThat(input.toJson().getString("time")).isEqualTo("2026-12-04T17:25:03.000Z");
    }

    private static JsonObject input(CallerIdentity caller, RequestSummary summary, BoundSession session) {
        return new JsonObject(new PolicyInput(caller, summary, Findings.none(), session,
                new Source("127.0.0.1", null), NOW).toJson().encode());
    }
}
