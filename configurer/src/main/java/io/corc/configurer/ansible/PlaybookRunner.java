package io.corc.configurer.ansible;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProcessTrees;
import io.corc.api.SecureFiles;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs {@code ansible-playbook} for one playbook in a clean environment and streams its output, line by line.
 *
 * <p>The environment holds only PATH, HOME, the locale and the {@code ANSIBLE_*} settings below: no variable of the
 * caller changes how corc's run behaves. Each run has a private 0700 work directory (inventory 0600, ansible's
 * local temp, ssh's control sockets), removed afterwards. ssh multiplexing stays on for speed (a playbook is one
 * login instead of one per task), but the sockets live in that directory and the masters are closed when the run
 * ends: a master outliving the run would answer the next run without checking the host key again.
 */
final class PlaybookRunner {
    private static final List<String> PASSED_THROUGH =
            List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR");
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final String executable;
    private final Map<String, String> callerEnvironment;
    private final Path projectDirectory;

    /** @param projectDirectory where ansible-playbook runs, so the project's ansible.cfg and roles are found */
    PlaybookRunner(String executable, Map<String, String> callerEnvironment, Path projectDirectory) {
        this.executable = requireNonNull(executable, "executable is null");
        this.callerEnvironment = Map.copyOf(callerEnvironment);
        this.projectDirectory = requireNonNull(projectDirectory, "projectDirectory is null");
    }

    /**
     * Runs {@code playbook} against {@code inventories}, limited to {@code hosts}.
     *
     * @throws CorcException naming the failing task and its message when ansible-playbook fails
     */
    PlaybookResult run(
            Path workDirectory, Path playbook, List<Path> inventories, List<String> hosts, Consumer<String> lines) {
        Path run = SecureFiles.privateDirectory(workDirectory.resolve("run-" + System.nanoTime()));
        try {
            List<String> argv = new ArrayList<>(List.of(resolvedExecutable()));
            inventories.forEach(inventory -> argv.addAll(List.of("-i", inventory.toString())));
            argv.addAll(List.of("--limit", String.join(",", hosts), playbook.toString()));
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(projectDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment(run));
            PlaybookOutput output = new PlaybookOutput();
            int exitCode = stream(builder, line -> {
                output.accept(line);
                lines.accept(line);
            });
            if (exitCode != 0) {
                throw output.failure(playbook.getFileName().toString(), exitCode);
            }
            return new PlaybookResult(playbook, output.recap());
        } finally {
            closeControlMasters(run.resolve("cp"));
            deleteTree(run);
        }
    }

    private Map<String, String> environment(Path run) {
        Map<String, String> env = new LinkedHashMap<>();
        PASSED_THROUGH.forEach(key -> {
            String value = callerEnvironment.get(key);
            if (value != null) {
                env.put(key, value);
            }
        });
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("PYTHONUNBUFFERED", "1"); // lines arrive as they happen, not in 4 KiB blocks
        env.put("ANSIBLE_STDOUT_CALLBACK", "default"); // PlaybookOutput parses its lines
        env.put("ANSIBLE_CALLBACK_RESULT_FORMAT", "json");
        env.put("ANSIBLE_NOCOLOR", "True");
        env.put("ANSIBLE_FORCE_COLOR", "False");
        env.put("ANSIBLE_HOST_KEY_CHECKING", "True");
        env.put("ANSIBLE_RETRY_FILES_ENABLED", "False");
        env.put("ANSIBLE_PIPELINING", "True");
        env.put(
                "ANSIBLE_LOCAL_TEMP",
                SecureFiles.privateDirectory(run.resolve("tmp")).toString());
        env.put(
                "ANSIBLE_SSH_CONTROL_PATH_DIR",
                SecureFiles.privateDirectory(run.resolve("cp")).toString());
        return env;
    }

    private int stream(ProcessBuilder builder, Consumer<String> lines) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw missingExecutable().withCause(e);
        }
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.accept(line);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            ProcessTrees.kill(process.toHandle(), KILL_GRACE);
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "ansible-playbook was interrupted");
        } catch (IOException e) {
            ProcessTrees.kill(process.toHandle(), KILL_GRACE);
            throw SecureFiles.ioFailure("read ansible-playbook's output", e);
        }
    }

    /** The executable: a path as given, or a name looked up on the PATH corc passes on. */
    private String resolvedExecutable() {
        if (executable.contains("/")) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw missingExecutable();
            }
            return executable;
        }
        String path = callerEnvironment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw missingExecutable();
    }

    private CorcException missingExecutable() {
        return CorcException.notFound(executable + " was not found (the Ansible configurer runs it)")
                .withHint("install Ansible (Debian/Ubuntu: apt-get install ansible-core; elsewhere: "
                        + "pipx install ansible-core), or set configurers.ansible.ansible_playbook to its path");
    }

    /** {@code ssh -O exit} on each control socket: ends the master connections this run opened. */
    private void closeControlMasters(Path controlDirectory) {
        if (!Files.isDirectory(controlDirectory)) {
            return;
        }
        try (Stream<Path> sockets = Files.list(controlDirectory)) {
            for (Path socket : sockets.toList()) {
                Process exit = new ProcessBuilder("ssh", "-o", "ControlPath=" + socket, "-O", "exit", "corc-master")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!exit.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    exit.destroyForcibly();
                }
            }
        } catch (IOException e) {
            // best effort: a master left over exits by itself after ControlPersist (60 s)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: the directory is private and under corc's own work directory
        }
    }
}
