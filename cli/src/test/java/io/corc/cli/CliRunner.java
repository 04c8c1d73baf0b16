package io.corc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Runs the CLI in-process with its own corc home, capturing stdout, stderr and the exit code. */
final class CliRunner {
    private final Map<String, String> env = new HashMap<>();

    CliRunner(Path home) {
        env.put("CORC_HOME", home.toString());
        env.put("PATH", System.getenv("PATH"));
    }

    CliRunner env(String key, String value) {
        env.put(key, value);
        return this;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(outStream, errStream, env, false, args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int code, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            try {
                return new ObjectMapper().readValue(out, Map.class);
            } catch (java.io.IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> errorJson() {
            try {
                return new ObjectMapper().readValue(err, Map.class);
            } catch (java.io.IOException e) {
                throw new AssertionError("stderr is not JSON: " + err, e);
            }
        }

        Map<String, Object> yaml() {
            return new Yaml().load(out);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
