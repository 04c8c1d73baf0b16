package io.corc.jobio;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.SecureFiles;
import io.corc.api.TaskReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The JSON form of a job spec (handed to the runner) and of a task report ({@code job.json}). Field names are snake
 * case, instants and durations ISO-8601 strings, absent values {@code null}; unknown fields are ignored on reading
 * so that a newer writer does not break an older reader. Files are written atomically with mode 0600.
 */
public final class JobJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private JobJson() {}

    /** The configured mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static void writeSpec(JobSpec spec, Path file) {
        write(requireNonNull(spec, "spec is null"), file);
    }

    /**
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} when the file is missing,
     *     {@link ErrorCategory#INVALID_INPUT} when it is not a valid job spec
     */
    public static JobSpec readSpec(Path file) {
        return read(file, JobSpec.class, "job spec");
    }

    public static void writeReport(TaskReport report, Path file) {
        write(requireNonNull(report, "report is null"), file);
    }

    /**
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} when the file is missing,
     *     {@link ErrorCategory#INVALID_INPUT} when it is not a valid task report
     */
    public static TaskReport readReport(Path file) {
        return read(file, TaskReport.class, TaskReport.FILE_NAME);
    }

    /** Any value as JSON with the same conventions. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw CorcException.internal("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static void write(Object value, Path file) {
        requireNonNull(file, "file is null");
        SecureFiles.writeAtomically(file, (toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static <T> T read(Path file, Class<T> type, String what) {
        requireNonNull(file, "file is null");
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CorcException.notFound(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
        try {
            return MAPPER.readValue(content, type);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof CorcException corc ? corc : e;
            throw new CorcException(
                    ErrorCategory.INVALID_INPUT,
                    file + " is not a valid " + what + ": " + cause.getMessage(),
                    null,
                    null,
                    null,
                    e);
        }
    }
}
