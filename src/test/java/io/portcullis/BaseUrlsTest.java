package io.portcullis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseUrlsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "https://api.openai.com/v1, api.openai.com",
        "http://127.0.0.1:8090/v1, 127.0.0.1",
        "' http://opa:8181 ', opa",
    })
    void validUrlIsParsed(String value, String host) {
        assertThat(BaseUrls.parse("k", value, "e").getHost()).isEqualTo(host);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "api.openai.com/v1, not an absolute http or https URL",
        "ftp://files.example/v1, not an absolute http or https URL",
        "https://api.openai.com/v1?x=1, query and fragment are not allowed",
        "https://api.openai.com/v1#top, query and fragment are not allowed",
        "'http://[::1', k='http://[::1' is invalid",
    })
    void invalidUrlNamesKeyAndProblem(String value, String problem) {
        assertThatThrownBy(() -> BaseUrls.parse("k", value, "https://example.test/v1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("k")
                .hasMessageContaining(problem)
                .hasMessageContaining("https://example.test/v1");
    }

    @org.junit.jupiter.api.Test
    void userInfoIsNotEchoed() {
        assertThatThrownBy(() -> BaseUrls.parse("k", "https://user:s3cret@api.example/v1", "e"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user info")
                .hasMessageNotContaining("s3cret");
    }
}
