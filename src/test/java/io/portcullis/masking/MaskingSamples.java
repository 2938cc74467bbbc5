package io.portcullis.masking;

import io.vertx.core.json.JsonArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Entities and texts that the masking tests mix into prompts and streamed answers. */
final class MaskingSamples {

    /** One entity of each kind that the masking tests insert, with the type the detectors give it. */
    record Entity(String type, String value) {
    }

    static final List<Entity> ENTITIES = List.of(
            new Entity("EMAIL_ADDRESS", "jane.doe@example.com"),
            new Entity("EMAIL_ADDRESS", "ops+alerts@mail.example.org"),
            new Entity("PHONE_NUMBER", "+1 415-555-0132"),
            new Entity("CREDIT_CARD", "4012 8888 8888 1881"),
            new Entity("IBAN", "DE89370400440532013000"),
            new Entity("US_SSN", "078-05-1120"),
            new Entity("IP_ADDRESS", "192.168.10.42"),
            new Entity("AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE"),
            new Entity("API_KEY", "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"),
            new Entity("JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                    + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
            new Entity("CONNECTION_STRING", "postgres://app:S3cr3t-pw@db.internal:5432/orders"));

    /** Prose around the entities, with context words before some of them. */
    static final List<String> PROSE = List.of("Contact ", "Hello, ", " and then ", "call me at ", "my card is ",
            "IBAN: ", "ssn ", "server ", "key=", "Bearer-free text ", ". ", "\n", "Thanks!", " ", "über ",
            "日本語のテキスト ", "emoji 👩‍💻 ", "(", ")", ", or ");

    private MaskingSamples() {
    }

    /** Returns the naughty strings of the big list of naughty strings. */
    static List<String> naughtyStrings() {
        try (InputStream in = MaskingSamples.class.getResourceAsStream("/pii/blns.json")) {
            if (in == null) {
                throw new IllegalStateException("pii/blns.json is missing from the test resources");
            }
            JsonArray strings = new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<String> list = new ArrayList<>();
            for (Object item : strings) {
                list.add((String) item);
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
