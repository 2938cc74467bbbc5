package io.portcullis.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK against the gateway, with only the base URL and the API key changed. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class OpenAiJavaSdkTest {

    @TestHTTPResource("/v1")
    URL baseUrl;

    @Test
    void completionIsReturned() {
        ChatCompletion completion = client(Tokens.alice()).chat().completions().create(params(Map.of()));
        assertThat(completion.choices()).isNotEmpty();
        assertThat(completion.choices().get(0).message().content()).isPresent();
    }

    @Test
    void streamIsDelivered() {
        List<String> parts = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client(Tokens.alice()).chat().completions()
                .createStreaming(params(Map.of()))) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    choice.delta().content().ifPresent(parts::add)));
        }
        assertThat(String.join("", parts)).isNotBlank();
    }

    @Test
    void midstreamErrorIsRaised() {
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = client(Tokens.alice()).chat().completions()
                    .createStreaming(params(Map.of("sim_fault", "truncate")))) {
                stream.stream().forEach(chunk -> { });
            }
        }).hasMessageContaining("upstream");
    }

    @Test
    void rateLimitIsRaised() {
        assertThatThrownBy(() -> client(Tokens.alice()).chat().completions()
                .create(params(Map.of("sim_fault", "status:429"))))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void invalidTokenIsRaised() {
        assertThatThrownBy(() -> client("not-a-token").chat().completions().create(params(Map.of())))
                .isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void unknownModelIsRaised() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("Hi").build();
        assertThatThrownBy(() -> client(Tokens.alice()).chat().completions().create(params))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void modelsAreListed() {
        List<String> ids = client(Tokens.alice()).models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains("sim-gpt", "smollm2-135m-instruct");
    }

    private OpenAIClient client(String token) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey(token).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams params(Map<String, String> metadata) {
        ChatCompletionCreateParams.Metadata.Builder simulator = ChatCompletionCreateParams.Metadata.builder();
        metadata.forEach((key, value) -> simulator.putAdditionalProperty(key, JsonValue.from(value)));
        return ChatCompletionCreateParams.builder()
                .model("sim-gpt")
                .addUserMessage("Say hello.")
                .metadata(simulator.build())
                .build();
    }
}
