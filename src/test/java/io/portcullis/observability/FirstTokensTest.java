package io.portcullis.observability;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class FirstTokensTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "role only                 | {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]} | false",
        "content                   | {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}                     | true",
        "reasoning_content         | {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let\"}}]}          | true",
        "reasoning                 | {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"Let\"}}]}                  | true",
        "tool call                 | {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}         | true",
        "empty tool calls          | {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}                      | false",
        "second choice has content | {\"choices\":[{\"delta\":{}},{\"delta\":{\"content\":\"x\"}}]}                   | true",
        "usage only                | {\"choices\":[],\"usage\":{\"total_tokens\":3}}                                  | false",
        "no choices                | {\"id\":\"x\"}                                                                   | false",
        "null content              | {\"choices\":[{\"delta\":{\"content\":null}}]}                                   | false",
    })
    void recognizesFirstToken(String label, String chunk, boolean expected) {
        assertThat(FirstTokens.carriesToken(new JsonObject(chunk))).as(label).isEqualTo(expected);
    }
}
