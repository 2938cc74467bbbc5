package io.portcullis.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the Python clients in src/test/python with the stack's interpreter, which has the OpenAI SDK. */
public final class PythonScripts {

    private PythonScripts() {
    }

    /** The outcome of one run: exit code and the merged standard output and error. */
    public record Result(int exitCode, String output) {
    }

    /** Runs a script with arguments and fails the test when it does not finish in time. */
    public static Result run(String script, int timeoutSeconds, String... arguments) throws Exception {
        String python = System.getenv().getOrDefault("PORTCULLIS_PYTHON",
                System.getProperty("user.home") + "/.cache/portcullis/venv/bin/python");
        assertThat(Path.of(python)).as("Python with the openai package; run stack/up --services first").exists();
        List<String> command = new ArrayList<>(List.of(python, "src/test/python/" + script));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("%s finished within %d s; output:%n%s", script, timeoutSeconds, output).isTrue();
        return new Result(process.exitValue(), output);
    }
}
