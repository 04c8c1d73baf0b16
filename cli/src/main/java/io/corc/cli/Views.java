package io.corc.cli;

import io.corc.api.CheckResult;
import io.corc.api.Endpoint;
import io.corc.api.Job;
import io.corc.api.Plan;
import io.corc.api.Resource;
import io.corc.api.StoredObject;
import io.corc.api.TaskStatus;
import io.corc.api.TransferReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stable {@code -o json|yaml} schema (docs/cli-output.md): snake_case keys, lower-case states, ISO-8601 times,
 * absent values as {@code null}. Changing a key here is a breaking change for scripts.
 */
final class Views {
    private Views() {}

    static Map<String, Object> job(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", job.id());
        view.put("name", job.name());
        view.put("scheduler", job.scheduler());
        view.put("state", lower(job.state()));
        view.put("submitted_at", time(job.submittedAt()));
        view.put("finished_at", time(job.finishedAt()));
        view.put("tasks", job.tasks().stream().map(Views::task).toList());
        view.put("details", job.details());
        return view;
    }

    static Map<String, Object> task(TaskStatus task) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("index", task.index());
        view.put("state", lower(task.state()));
        view.put("exit_code", task.exitCode());
        view.put("host", task.host());
        view.put("started_at", time(task.startedAt()));
        view.put("ended_at", time(task.endedAt()));
        view.put("stage_in_seconds", task.stageInSeconds());
        view.put("compute_seconds", task.computeSeconds());
        view.put("stage_out_seconds", task.stageOutSeconds());
        view.put("message", task.message());
        return view;
    }

    static Map<String, Object> resource(Resource resource) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", resource.id());
        view.put("provider", resource.provider());
        view.put("kind", resource.kind().cliName());
        view.put("name", resource.name());
        view.put("state", lower(resource.state()));
        view.put("endpoints", resource.endpoints().stream().map(Views::endpoint).toList());
        view.put(
                "objects",
                resource.objects().stream()
                        .map(o -> Map.of("type", o.type(), "id", o.id(), "created_by_corc", o.createdByCorc()))
                        .toList());
        view.put("created_at", time(resource.createdAt()));
        view.put("expires_at", time(resource.expiresAt()));
        view.put("details", resource.details());
        return view;
    }

    static Map<String, Object> endpoint(Endpoint endpoint) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("protocol", endpoint.protocol());
        view.put("host", endpoint.host());
        view.put("port", endpoint.port());
        view.put("user", endpoint.user());
        return view;
    }

    static Map<String, Object> plan(Plan plan) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("provider", plan.provider());
        view.put("kind", plan.kind().cliName());
        view.put("region", plan.region());
        view.put("shape", plan.shape());
        view.put("cores", plan.cores());
        view.put("memory_gb", plan.memoryGb());
        view.put("gpus", plan.gpus());
        view.put("hourly_price", plan.hourlyPrice());
        view.put("to_create", plan.toCreate());
        view.put("reason", plan.reason());
        return view;
    }

    static Map<String, Object> check(CheckResult result) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("plugin", result.plugin());
        view.put("ok", result.ok());
        view.put("configured", result.configured());
        view.put("reason", result.reason());
        return view;
    }

    static Map<String, Object> object(StoredObject object) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("key", object.key());
        view.put("size", object.size());
        view.put("sha256", object.sha256());
        view.put("last_modified", time(object.lastModified()));
        return view;
    }

    static Map<String, Object> transfer(TransferReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("files", report.files());
        view.put("bytes", report.bytes());
        view.put("skipped", report.skipped());
        view.put("seconds", report.seconds());
        view.put("incomplete", report.incomplete());
        view.put("missing", report.missing());
        return view;
    }

    /** Where a download went and what it moved: {@code {path, transfer}}. */
    static Map<String, Object> download(Path path, TransferReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", path.toString());
        view.put("transfer", transfer(report));
        return view;
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** A document with {@code status} first, as every JSON/YAML answer has. */
    static Map<String, Object> document(String status, Object... keysAndValues) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", status);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            document.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return document;
    }

    static List<Map<String, Object>> jobs(List<Job> jobs) {
        return jobs.stream().map(Views::job).toList();
    }
}
