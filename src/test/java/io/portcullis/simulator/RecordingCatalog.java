package io.portcullis.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recordings under {@code sse/} on the test classpath, loaded once into memory
 * (about 250 KB in all), and the defaults used when a request names none.
 */
final class RecordingCatalog {

    /** Default for {@code stream: true} requests without tools and with n of 1. */
    static final String DEFAULT_TEXT = "openai-chat_plain-text_usage-free";
    /** Default when the request sets more than one choice ({@code n > 1}). */
    static final String DEFAULT_MULTI_CHOICE = "openai-chat_n3-multi-choice";
    /** Default when the request declares tools. */
    static final String DEFAULT_TOOL_CALL = "openai-chat_parallel-tool-calls";

    static final String RESOURCE_FOLDER = "sse/";

    /** Exact response bodies, replayed byte for byte. */
    static final List<String> SSE_FILES = List.of(
            "azure-chat_4-tool-calls_async-filter.sse",
            "groq_error-event-midstream.1.sse",
            "hf-router-novita.1.sse",
            "openai-chat_agent-run.1.sse",
            "openai-chat_agent-run.2.sse",
            "openai-chat_agent-run.3.sse",
            "openai-chat_content-with-logprobs.sse",
            "openai-chat_gpt4o-mini-tool.1.sse",
            "openai-chat_gpt4o-mini-tool.2.sse",
            "openai-chat_max-tokens_finish-length.sse",
            "openai-chat_moderation.1.sse",
            "openai-chat_n3-multi-choice.sse",
            "openai-chat_parallel-tool-calls.sse",
            "openai-chat_plain-text_usage-free.sse",
            "openai-chat_refusal-delta.sse",
            "openai-chat_refusal-single-chunk.sse",
            "openai-chat_refusal-with-logprobs.sse",
            "openai-chat_tool-call-nonstrict.sse",
            "openai-chat_tool-call-strict.sse",
            "openai-chat_tool-call-whitespace-args.sse",
            "portcullis_agent-three-tool-calls.sse",
            "vllm-style_crusoe.1.sse");

    /** One JSON chunk per line, framed as SSE by {@link Recording#fromJsonLines}. */
    static final List<String> JSON_LINES_FILES = List.of(
            "azure-chat_model-router_content-filter-results.jsonl",
            "deepseek_tool-call.jsonl",
            "groq_tool-call-one-chunk.jsonl",
            "mistral_incremental-tool-call.jsonl",
            "openai-chat_gpt41nano_text.jsonl");

    private final Map<String, Recording> recordings;

    private RecordingCatalog(Map<String, Recording> recordings) {
        this.recordings = recordings;
    }

    /** Loads every listed file and fails if one is missing from the classpath. */
    static RecordingCatalog load() {
        Map<String, Recording> recordings = new LinkedHashMap<>();
        for (String file : SSE_FILES) {
            String name = baseName(file);
            recordings.put(name, Recording.fromSse(name, readResource(file)));
        }
        for (String file : JSON_LINES_FILES) {
            String name = baseName(file);
            recordings.put(name, Recording.fromJsonLines(name, readResource(file)));
        }
        return new RecordingCatalog(Map.copyOf(recordings));
    }

    /** Returns the recording with this base name, or null when there is none. */
    Recording find(String name) {
        return recordings.get(name);
    }

    Set<String> names() {
        return recordings.keySet();
    }

    /** Returns the file name without its extension ({@code .sse} or {@code .jsonl}). */
    static String baseName(String file) {
        return file.substring(0, file.lastIndexOf('.'));
    }

    static byte[] readResource(String file) {
        String path = RESOURCE_FOLDER + file;
        try (InputStream in = RecordingCatalog.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Recording " + path + " not found on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read recording " + path, e);
        }
    }
}
