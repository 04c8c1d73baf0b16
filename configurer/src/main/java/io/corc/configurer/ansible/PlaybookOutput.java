package io.corc.configurer.ansible;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ansible-playbook's output as it streams, to name the failing task when the run fails and to count what
 * changed.
 *
 * <p>Why parse the default callback's lines rather than use the {@code json} callback: the JSON callback prints one
 * document at the very end, so the user would see nothing while a long playbook runs. The default callback prints
 * one line per event, and its failure lines carry the result as one line of JSON ({@code fatal: [host]: FAILED! =>
 * {...}}, with {@code ANSIBLE_CALLBACK_RESULT_FORMAT=json}, which the runner sets), so both needs are met by one
 * stream. A failure followed by {@code ...ignoring} (ignore_errors) is not one.
 */
final class PlaybookOutput {
    private static final Pattern TASK = Pattern.compile("^TASK \\[(.*)] \\**$");
    private static final Pattern FAILURE =
            Pattern.compile("^(fatal|failed): \\[([^]]+)](?:: (FAILED|UNREACHABLE)!)?(?: \\(item=.*\\))? => (\\{.*})$");
    private static final Pattern RECAP = Pattern.compile("^(\\S+)\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+"
            + "unreachable=(\\d+)\\s+failed=(\\d+)\\s+skipped=(\\d+)\\s+rescued=(\\d+)\\s+ignored=(\\d+)\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private String task;
    private final List<Failure> failures = new ArrayList<>();
    private final List<String> errorLines = new ArrayList<>();
    private final Map<String, HostRecap> recap = new LinkedHashMap<>();

    /** One failed task on one host. */
    record Failure(String task, String host, boolean unreachable, String message) {}

    void accept(String line) {
        Matcher matcher;
        if ((matcher = TASK.matcher(line)).matches()) {
            task = matcher.group(1);
        } else if ((matcher = FAILURE.matcher(line)).matches()) {
            boolean unreachable = "UNREACHABLE".equals(matcher.group(3));
            failures.add(new Failure(task, matcher.group(2), unreachable, message(matcher.group(4))));
        } else if (line.strip().equals("...ignoring") && !failures.isEmpty()) {
            failures.remove(failures.size() - 1);
        } else if ((matcher = RECAP.matcher(line)).matches()) {
            recap.put(
                    matcher.group(1),
                    new HostRecap(
                            number(matcher, 2),
                            number(matcher, 3),
                            number(matcher, 4),
                            number(matcher, 5),
                            number(matcher, 6),
                            number(matcher, 7),
                            number(matcher, 8)));
        } else if (line.startsWith("ERROR! ") || (!errorLines.isEmpty() && errorLines.size() < 8 && !line.isBlank())) {
            errorLines.add(line);
        }
    }

    Map<String, HostRecap> recap() {
        return Map.copyOf(recap);
    }

    /** The error for a run that exited with {@code exitCode} != 0, naming the failing task and its message. */
    CorcException failure(String playbook, int exitCode) {
        if (!failures.isEmpty()) {
            Failure failure = failures.get(failures.size() - 1);
            String what = (failure.task() == null ? "a task" : "task '" + failure.task() + "'") + " of " + playbook;
            if (failure.unreachable()) {
                return unreachable(what, failure);
            }
            return new CorcException(
                            ErrorCategory.INVALID_INPUT,
                            what + " failed on " + failure.host() + ": " + failure.message())
                    .withHint("fix the task (the full ansible output is above) and apply again; tasks that "
                            + "already ran are skipped when they are idempotent");
        }
        if (!errorLines.isEmpty()) {
            return CorcException.invalidInput("ansible-playbook refused " + playbook + ": "
                            + String.join(
                                            " ",
                                            errorLines.stream()
                                                    .map(String::strip)
                                                    .toList())
                                    .replaceFirst("^ERROR! ", ""))
                    .withHint("check the playbook's syntax with: ansible-playbook --syntax-check " + playbook);
        }
        return CorcException.invalidInput("ansible-playbook exited with code " + exitCode + " running " + playbook)
                .withHint("see ansible's output above");
    }

    private static CorcException unreachable(String what, Failure failure) {
        String message = what + " could not reach " + failure.host() + ": " + failure.message();
        if (failure.message().contains("Host key verification failed")) {
            // corc checked the key just before (SshClient): it changed since, as a changed key is everywhere in corc
            return new CorcException(ErrorCategory.CONFLICT, message)
                    .withHint("the host's key is not the one in corc's known_hosts; if the resource was re-created, "
                            + "forget its old key with ssh-keygen -R HOST -f <corc home>/ssh/known_hosts");
        }
        if (failure.message().contains("Permission denied")) {
            return new CorcException(ErrorCategory.AUTHENTICATION, message)
                    .withHint("corc's key is not authorised for that user on the resource");
        }
        return new CorcException(ErrorCategory.UNAVAILABLE, message)
                .withHint("check that the resource is running and its SSH port is reachable from here");
    }

    /** The result's {@code msg}, with the command's stderr when the module ran one. */
    private static String message(String json) {
        try {
            JsonNode result = JSON.readTree(json);
            StringBuilder text = new StringBuilder(result.path("msg").asText("").strip());
            String stderr = result.path("stderr").asText("").strip();
            if (!stderr.isEmpty() && !text.toString().contains(stderr)) {
                text.append(text.length() == 0 ? "" : ": ").append(stderr);
            }
            if (text.length() == 0 && result.has("rc")) {
                text.append("exit code ").append(result.get("rc").asInt());
            }
            return text.length() == 0 ? json : text.toString();
        } catch (java.io.IOException e) {
            return json;
        }
    }

    private static int number(Matcher matcher, int group) {
        return Integer.parseInt(matcher.group(group));
    }
}
