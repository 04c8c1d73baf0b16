package io.corc.spawner;

import static java.util.Objects.requireNonNull;

import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.GpuSpec;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.ProcessTrees;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.SecureFiles;
import io.corc.api.StateRecord;
import io.corc.core.Corc;
import io.corc.ssh.ResourceLogin;
import io.corc.ssh.SshClient;
import io.corc.ssh.SshKeys;
import io.corc.ssh.SshSession;
import io.corc.ssh.SshTarget;
import io.corc.ssh.Tunnel;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Starts users' sessions on resources corc orchestrates, as JupyterHub's MultipleSpawner did: a deployment (where)
 * and a template (how) from two YAML files read again on each spawn, a key pair per user, the template's configurer,
 * the session command started detached, and SSH tunnels both ways on loopback (hub -> session, session -> hub API),
 * so nothing crosses the cloud's network unencrypted.
 *
 * <pre>{@code
 * try (Spawner spawner = Spawner.builder(corc).deployments(dir.resolve("deployments.yaml"))
 *         .templates(dir.resolve("templates.yaml")).hubApi("127.0.0.1", 8081).build()) {
 *     Session s = spawner.spawn("alice", "oci-small", SpawnSpec.DEFAULT, Duration.ofHours(2));
 *     // the hub proxies to 127.0.0.1:s.localPort(); the session reaches the hub's API at {hub_api_url}
 * }   // close() stops the sessions this spawner started
 * }</pre>
 *
 * <p>Sessions are recorded in corc's state store (type {@value Session#RECORD_TYPE}), so the CLI and a restarted
 * service see them; a restarted spawner schedules their expiry again and stops those already expired. Tunnels live
 * in the process that opened them. Spawns for different users run concurrently and share nothing but the SSH
 * client; a failed spawn stops what it started (the resource, when it created it; its tunnels and command) and
 * removes its record.
 */
public final class Spawner implements AutoCloseable {
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    private static final String KEY_NAME = "id_ed25519";
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Corc corc;
    private final Definitions.Source definitions;
    private final String hubAddress;
    private final String hubHostKey;
    private final String hubApiHost;
    private final int hubApiPort;
    private final boolean holdTunnels;
    private final boolean stopOnClose;
    private final Duration sshWait;
    private final SshClient ssh = new SshClient();
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    /** What this process holds for a session it started: the SSH connection, the tunnels, the expiry timer. */
    private record Live(SshSession session, List<Tunnel> tunnels, ScheduledFuture<?> expiry) {}

    private Spawner(Builder b) {
        this.corc = b.corc;
        this.definitions = new Definitions.Source(
                b.deployments != null
                        ? b.deployments
                        : spawnerDir(b.corc.home()).resolve("deployments.yaml"),
                b.templates != null ? b.templates : spawnerDir(b.corc.home()).resolve("templates.yaml"));
        this.hubAddress = b.hubAddress;
        this.hubHostKey = b.hubHostKey;
        this.hubApiHost = b.hubApiHost;
        this.hubApiPort = b.hubApiPort;
        this.holdTunnels = b.holdTunnels;
        this.stopOnClose = b.stopOnClose;
        this.sshWait = b.sshWait;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "corc-spawner-expiry");
            t.setDaemon(true);
            return t;
        });
        if (b.watchExpiry) {
            for (Session session : list()) {
                scheduleExpiry(session.id(), session.expiresAt());
            }
        }
    }

    public static Builder builder(Corc corc) {
        return new Builder(corc);
    }

    /** {@code <corc home>/spawner}: the default place of the definition files and the users' keys. */
    public static Path spawnerDir(Path corcHome) {
        return corcHome.resolve("spawner");
    }

    /** The definitions the next spawn would use (the files are read again when they changed). */
    public Definitions definitions() {
        return definitions.current();
    }

    public Session spawn(String user, String deployment, SpawnSpec spec, Duration duration) {
        return spawn(user, deployment, spec, duration, ProgressListener.NONE);
    }

    /**
     * Starts a session for {@code user} on {@code deployment} that the spawner stops after {@code duration}.
     *
     * @throws CorcException INVALID_INPUT for a bad user name, duration or definition file, NOT_FOUND for an unknown
     *     deployment or template, or the failure of the step that failed (after what the spawn made was undone)
     */
    public Session spawn(String user, String deployment, SpawnSpec spec, Duration duration, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        if (closed) {
            throw new CorcException(ErrorCategory.CONFLICT, "the spawner is closed");
        }
        if (user == null || !USER.matcher(user).matches()) {
            throw CorcException.invalidInput("invalid user name '" + user + "'")
                    .withHint("a user name is 1-32 of a-z 0-9 _ . - and starts with a letter or _");
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw CorcException.invalidInput("a session's duration must be positive, got " + duration)
                    .withHint("e.g. 60 minutes");
        }
        Definitions defs = definitions.current(); // this spawn's snapshot: later edits apply to later spawns
        Deployment dep = defs.deployment(deployment);
        Template template = defs.template(spec.template(), dep);
        if (template.configurer() != null
                && corc.plugins().configurers().stream().noneMatch(f -> f.name().equals(template.configurer()))) {
            throw CorcException.notFound("template '" + template.name() + "' names the configurer '"
                            + template.configurer() + "', which is not installed")
                    .withHint("installed configurers: "
                            + corc.plugins().configurers().stream()
                                    .map(f -> f.name())
                                    .toList()
                            + "; put its module on the class path or change the template");
        }
        String id = "spawn-" + user.replace('_', '-').replace('.', '-') + "-" + randomSuffix();
        Instant expires = Instant.now().plus(duration);
        Deque<Runnable> undo = new ArrayDeque<>();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user", user);
        data.put("deployment", dep.name());
        data.put("resource_type", dep.resourceType());
        data.put("template", template.name());
        data.put("provider", dep.provider());
        data.put("expires_at", expires.toString());
        data.put("session_port", template.port());
        // who is starting it: a later poll that finds this process gone knows the spawn was abandoned
        ProcessHandle self = ProcessHandle.current();
        Instant selfStarted = ProcessTrees.startOf(self);
        data.put("spawner_pid", Long.toString(self.pid()));
        data.put("spawner_started", selfStarted == null ? null : selfStarted.toString());
        corc.records().put(StateRecord.create(Session.RECORD_TYPE, id, "starting", data));
        undo.push(() -> corc.records().delete(Session.RECORD_TYPE, id));
        List<Tunnel> tunnels = new ArrayList<>();
        SshSession connection = null;
        try {
            progress.onProgress("key of " + user, 0, -1);
            KeyPairInfo key = userKeys(user).loadOrCreate(KEY_NAME, KeyType.ED25519);
            data.put("key", key.privateKeyFile().toString());

            Resource resource;
            boolean created;
            if (spec.resourceId() != null) {
                resource = corc.findResource(spec.resourceId());
                created = false;
            } else {
                progress.onProgress("starting a " + dep.resourceType() + " at " + dep.provider(), 0, -1);
                ResourceSpec resourceSpec = new ResourceSpec(
                        id,
                        ResourceKind.INSTANCE,
                        spec.minCores(),
                        spec.minMemoryGb(),
                        spec.gpus() > 0 ? new GpuSpec(spec.gpus(), null) : GpuSpec.NONE,
                        null,
                        dep.image(),
                        null,
                        null,
                        false,
                        duration,
                        Map.of("corc-spawn", id, "corc-spawn-user", user),
                        List.of(key.publicKey()),
                        dep.options());
                resource = corc.start(dep.provider(), resourceSpec, progress);
                created = true;
                Resource started = resource;
                undo.push(() -> corc.stop(started.provider(), started.kind(), started.id(), ProgressListener.NONE));
            }
            data.put("provider", resource.provider());
            data.put("resource", resource.id());
            data.put("resource_created", created);
            record(id, "starting", data);

            Map<String, String> values = new LinkedHashMap<>();
            values.put("user", user);
            values.put("public_key", key.publicKey());
            values.put("hub_address", hubAddress == null ? "" : hubAddress);
            values.put("hub_host_key", hubHostKey == null ? "" : hubHostKey);
            values.put("session_port", Integer.toString(template.port()));
            values.put("session_id", id);
            values.put("session_dir", ".corc/spawn/" + id);
            values.put("resource_id", resource.id());
            List<String> notes = new ArrayList<>();
            int localPort = 0;
            int remoteApiPort = 0;

            if (ResourceLogin.sshEndpoint(resource).isPresent()) {
                data.put("access", "ssh");
                if (template.authenticator() != null) {
                    progress.onProgress("authorising " + user + "'s key on " + resource.id(), 0, -1);
                    authenticator(template, values).authorize(resource, key.publicKey());
                }
                ResourceLogin.Login login =
                        new ResourceLogin(corc.home(), loginSection(template, values)).login(resource);
                SshTarget asUser = new SshTarget(
                        login.target().host(),
                        login.target().port(),
                        login.target().user(),
                        key.privateKeyFile());
                connection = ssh.awaitReachable(asUser, login.knownHosts(), sshWait, progress);
                SshSession opened = connection;
                undo.push(opened::close);
                if (holdTunnels) {
                    if (template.port() > 0) {
                        Tunnel toSession = connection.forwardLocal(0, "127.0.0.1", template.port());
                        tunnels.add(toSession);
                        localPort = toSession.boundPort();
                    }
                    if (hubApiPort > 0) {
                        Tunnel toHub = connection.forwardRemote(0, hubApiHost, hubApiPort);
                        tunnels.add(toHub);
                        remoteApiPort = toHub.boundPort();
                    }
                } else {
                    notes.add("tunnels are not held: this spawner (the CLI) ends before the session; a service"
                            + " embedding io.corc.spawner holds them");
                }
                values.put("hub_api_port", Integer.toString(remoteApiPort));
                values.put("hub_api_url", remoteApiPort > 0 ? "http://127.0.0.1:" + remoteApiPort : "");
                if (template.configurer() != null) {
                    progress.onProgress("configuring " + resource.id() + " with " + template.configurer(), 0, -1);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> options =
                            (Map<String, Object>) Placeholders.fillAll(template.configurerOptions(), values);
                    corc.configure(
                            resource,
                            new ConfigurerSpec(
                                    template.configurer(),
                                    new PluginConfig("template " + template.name() + ".configurer.options", options)),
                            progress);
                }
                if (template.command() != null) {
                    progress.onProgress("starting the session command", 0, -1);
                    String dir = values.get("session_dir");
                    connection.run("mkdir -p " + dir);
                    connection.write(
                            dir + "/session.sh",
                            (Placeholders.fill(template.command(), values) + "\n").getBytes(StandardCharsets.UTF_8),
                            0700);
                    String pid = connection
                            .run("cd " + dir + " && (if command -v setsid >/dev/null 2>&1; then setsid sh session.sh;"
                                    + " else sh session.sh; fi) > session.log 2>&1 < /dev/null & echo $!")
                            .stdout()
                            .strip();
                    data.put("pid", pid);
                    undo.push(() -> killRemote(opened, pid));
                }
            } else {
                data.put("access", "local");
                Path dir = localDirectory(resource);
                notes.add("no SSH at " + resource.provider() + ": the session runs on this machine in " + dir
                        + "; no tunnels are needed (nothing crosses a network) and the template's"
                        + " configurer/authenticator steps are skipped");
                localPort = template.port();
                remoteApiPort = hubApiPort;
                values.put("hub_api_port", Integer.toString(hubApiPort));
                values.put("hub_api_url", hubApiPort > 0 ? "http://" + hubApiHost + ":" + hubApiPort : "");
                if (template.command() != null) {
                    ProcessHandle process = startLocal(dir, values.get("session_dir"), template, values);
                    data.put("pid", Long.toString(process.pid()));
                    Instant started = ProcessTrees.startOf(process);
                    data.put("pid_started", started == null ? null : started.toString());
                    undo.push(() -> ProcessTrees.kill(process, KILL_GRACE));
                }
            }
            data.put("local_port", localPort);
            data.put("hub_api_port", remoteApiPort);
            data.put("tunnels", !tunnels.isEmpty());
            data.put("notes", notes);
            record(id, "running", data);
            if (connection != null && tunnels.isEmpty() && !holdTunnels) {
                connection.close();
                connection = null;
            }
            ScheduledFuture<?> expiry = scheduleExpiry(id, expires);
            live.put(id, new Live(connection, List.copyOf(tunnels), expiry));
            return get(id).orElseThrow();
        } catch (RuntimeException | Error e) {
            tunnels.forEach(Tunnel::close);
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The session as recorded, or empty. */
    public Optional<Session> get(String id) {
        return corc.records().get(Session.RECORD_TYPE, id).map(Session::of);
    }

    /** Every recorded session, oldest first. */
    public List<Session> list() {
        return corc.records().list(Session.RECORD_TYPE).stream()
                .map(Session::of)
                .toList();
    }

    /**
     * The session with its state checked: {@code running} while its command runs, {@code ended} once it exited
     * (the resource stays until the session is stopped or expires), {@code abandoned} when the process that was
     * starting it is gone (it crashed or was killed mid-spawn).
     *
     * @throws CorcException NOT_FOUND when no such session is recorded
     */
    public Session poll(String id) {
        StateRecord record = corc.records().get(Session.RECORD_TYPE, id).orElseThrow(() -> CorcException.notFound(
                        "no session '" + id + "'")
                .withHint("'corc spawns' lists the sessions"));
        if (record.status().equals("starting") && spawnerGone(record)) {
            StateRecord abandoned = corc.records()
                    .update(
                            Session.RECORD_TYPE,
                            id,
                            r -> r == null || !r.status().equals("starting") ? r : r.withStatus("abandoned"));
            return Session.of(abandoned == null ? record.withStatus("abandoned") : abandoned);
        }
        if (!record.status().equals("running") || record.string("pid") == null) {
            return Session.of(record);
        }
        boolean alive;
        if ("local".equals(record.string("access"))) {
            alive = ProcessTrees.find(Long.parseLong(record.string("pid")), instant(record.string("pid_started")))
                    .isPresent();
        } else {
            String check = "kill -0 " + pidOf(record) + " 2>/dev/null && echo alive";
            Live held = live.get(id);
            alive = held != null && held.session() != null // this spawner's connection, else a new one
                    ? held.session().run(check).stdout().contains("alive")
                    : withConnection(record, s -> s.run(check).stdout().contains("alive"));
        }
        if (!alive) {
            StateRecord ended =
                    corc.records().update(Session.RECORD_TYPE, id, r -> r == null ? null : r.withStatus("ended"));
            return ended == null ? Session.of(record.withStatus("ended")) : Session.of(ended);
        }
        return Session.of(record);
    }

    /**
     * Stops a session: its tunnels, its command's process group, the resource when the spawn started it; then
     * removes its record. Idempotent: false when no such session was recorded.
     */
    public boolean stop(String id) {
        Live held = live.remove(id);
        if (held != null) {
            if (held.expiry() != null) {
                held.expiry().cancel(false);
            }
            held.tunnels().forEach(Tunnel::close);
        }
        Optional<StateRecord> found = corc.records().get(Session.RECORD_TYPE, id);
        if (found.isEmpty()) {
            if (held != null && held.session() != null) {
                held.session().close();
            }
            return false;
        }
        StateRecord record = found.get();
        CorcException failure = null;
        try {
            if (record.string("pid") != null) {
                if ("local".equals(record.string("access"))) {
                    ProcessTrees.find(Long.parseLong(record.string("pid")), instant(record.string("pid_started")))
                            .ifPresent(p -> ProcessTrees.kill(p, KILL_GRACE));
                } else if (held != null && held.session() != null) {
                    killRemote(held.session(), pidOf(record));
                } else {
                    withConnection(record, s -> {
                        killRemote(s, pidOf(record));
                        return null;
                    });
                }
            }
        } catch (CorcException e) {
            // the resource may be gone already; stopping it below ends the command anyway
            failure = Boolean.parseBoolean(record.string("resource_created")) ? null : e;
        } finally {
            if (held != null && held.session() != null) {
                held.session().close();
            }
        }
        if (Boolean.parseBoolean(record.string("resource_created")) && record.string("resource") != null) {
            try {
                corc.stop(
                        record.string("provider"),
                        ResourceKind.INSTANCE,
                        record.string("resource"),
                        ProgressListener.NONE);
            } catch (CorcException e) {
                corc.records().update(Session.RECORD_TYPE, id, r -> r == null ? null : r.withStatus("stop-failed"));
                throw e.withHint("the session's record is kept; 'corc unspawn " + id + "' tries again");
            }
        }
        corc.records().delete(Session.RECORD_TYPE, id);
        if (failure != null) {
            throw failure;
        }
        return true;
    }

    /** Stops every recorded session whose time is up; returns their ids. */
    public List<String> stopExpired() {
        List<String> stopped = new ArrayList<>();
        for (Session session : list()) {
            if (session.expiresAt() != null && !session.expiresAt().isAfter(Instant.now())) {
                if (stop(session.id())) {
                    stopped.add(session.id());
                }
            }
        }
        return stopped;
    }

    /** Stops the sessions this spawner started (unless built with {@code stopOnClose(false)}) and its timer. */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        if (stopOnClose) {
            for (String id : List.copyOf(live.keySet())) {
                try {
                    stop(id);
                } catch (RuntimeException e) {
                    // a session that cannot be stopped now keeps its record; its expiry or 'corc unspawn' ends it
                }
            }
        } else {
            live.values().forEach(l -> {
                l.tunnels().forEach(Tunnel::close);
                if (l.session() != null) {
                    l.session().close();
                }
            });
            live.clear();
        }
        ssh.close();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private ScheduledFuture<?> scheduleExpiry(String id, Instant at) {
        if (at == null || closed) {
            return null;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
        return timer.schedule(
                () -> {
                    try {
                        stop(id);
                    } catch (RuntimeException e) {
                        // kept as stop-failed; 'corc unspawn' or the next expiry check tries again
                    }
                },
                delay,
                TimeUnit.MILLISECONDS);
    }

    private void record(String id, String status, Map<String, Object> data) {
        corc.records()
                .update(
                        Session.RECORD_TYPE,
                        id,
                        r -> r == null
                                ? StateRecord.create(Session.RECORD_TYPE, id, status, data)
                                : new StateRecord(r.type(), r.id(), status, data, r.createdAt(), Instant.now()));
    }

    /** The per-user key store: {@code <corc home>/spawner/users/<user>/ssh} (0700, keys 0600). */
    private SshKeys userKeys(String user) {
        Path userHome = spawnerDir(corc.home()).resolve("users").resolve(user);
        SecureFiles.privateDirectory(userHome.getParent());
        SecureFiles.privateDirectory(userHome);
        return new SshKeys(userHome, PluginConfig.empty("spawner.users." + user));
    }

    /** corc's own login settings ({@code corc.configurers.ssh}) plus the template's authenticator options. */
    private PluginConfig loginSection(Template template, Map<String, String> values) {
        Map<String, Object> merged = new LinkedHashMap<>(
                corc.config().section("corc.configurers.ssh").asMap());
        @SuppressWarnings("unchecked")
        Map<String, Object> filled =
                (Map<String, Object>) Placeholders.fillAll(template.authenticatorOptions(), values);
        merged.putAll(filled);
        return new PluginConfig("template " + template.name() + ".authenticator.options", merged);
    }

    private SshKeys authenticator(Template template, Map<String, String> values) {
        if (!template.authenticator().equals("ssh")) {
            throw CorcException.invalidInput("template '" + template.name() + "' names the authenticator '"
                            + template.authenticator() + "'")
                    .withHint("the spawner knows the 'ssh' authenticator");
        }
        return new SshKeys(corc.home(), loginSection(template, values));
    }

    private <T> T withConnection(StateRecord record, java.util.function.Function<SshSession, T> action) {
        Resource resource = corc.findResource(record.string("resource"));
        ResourceLogin.Login login =
                new ResourceLogin(corc.home(), corc.config().section("corc.configurers.ssh")).login(resource);
        SshTarget asUser = new SshTarget(
                login.target().host(), login.target().port(), login.target().user(), Path.of(record.string("key")));
        try (SshSession s = ssh.connect(asUser, login.knownHosts(), Duration.ofSeconds(30))) {
            return action.apply(s);
        }
    }

    private static void killRemote(SshSession session, String pid) {
        if (!pid.matches("[0-9]+")) {
            return;
        }
        // the command leads a process group of its own (setsid): signal the group, or the process without setsid;
        // "kill -- -PID" is not understood by dash's kill, "kill -SIG -PID" is by every POSIX shell
        session.run("kill -TERM -" + pid + " 2>/dev/null || kill -TERM " + pid + " 2>/dev/null; i=0;"
                + " while kill -0 -" + pid + " 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done;"
                + " kill -KILL -" + pid + " 2>/dev/null || kill -KILL " + pid + " 2>/dev/null; true");
    }

    private static String pidOf(StateRecord record) {
        String pid = record.string("pid");
        if (pid == null || !pid.matches("[0-9]+")) {
            throw CorcException.internal("session " + record.id() + " records no process id", null);
        }
        return pid;
    }

    private static Path localDirectory(Resource resource) {
        return resource.endpoints().stream()
                .filter(e -> e.protocol().equals("file"))
                .map(Endpoint::host)
                .map(Path::of)
                .findFirst()
                .orElseThrow(() -> CorcException.invalidInput("resource " + resource.id() + " at " + resource.provider()
                                + " has neither an ssh nor a file endpoint")
                        .withHint("the spawner runs sessions over SSH, or in a local sandbox"));
    }

    private static ProcessHandle startLocal(
            Path home, String sessionDir, Template template, Map<String, String> values) {
        Path dir = home.resolve(sessionDir);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("session.sh"), Placeholders.fill(template.command(), values) + "\n");
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write the session script in " + dir, e);
        }
        boolean setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));
        List<String> argv = new ArrayList<>();
        if (setsid) {
            argv.add("setsid");
        }
        argv.addAll(List.of("sh", "session.sh"));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("session.log").toFile())
                .redirectErrorStream(true);
        try {
            return builder.start().toHandle();
        } catch (IOException e) {
            throw CorcException.invalidInput("cannot start the session command: " + e.getMessage())
                    .withCause(e);
        }
    }

    /** Whether the process that recorded this starting session has exited (records from before it was noted: no). */
    private static boolean spawnerGone(StateRecord record) {
        String pid = record.string("spawner_pid");
        return pid != null
                && ProcessTrees.find(Long.parseLong(pid), instant(record.string("spawner_started")))
                        .isEmpty();
    }

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }

    private String randomSuffix() {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Options of a {@link Spawner}. */
    public static final class Builder {
        private final Corc corc;
        private Path deployments;
        private Path templates;
        private String hubAddress;
        private String hubHostKey;
        private String hubApiHost = "127.0.0.1";
        private int hubApiPort;
        private boolean holdTunnels = true;
        private boolean stopOnClose = true;
        private boolean watchExpiry = true;
        private Duration sshWait = Duration.ofMinutes(5);

        private Builder(Corc corc) {
            this.corc = requireNonNull(corc, "corc is null");
        }

        /** The deployment file; default {@code <corc home>/spawner/deployments.yaml}. */
        public Builder deployments(Path file) {
            this.deployments = file;
            return this;
        }

        /** The template file; default {@code <corc home>/spawner/templates.yaml}. */
        public Builder templates(Path file) {
            this.templates = file;
            return this;
        }

        /** The hub's address and SSH host key line, for the {@code {hub_address}} and {@code {hub_host_key}} placeholders. */
        public Builder hub(String address, String hostKey) {
            this.hubAddress = address;
            this.hubHostKey = hostKey;
            return this;
        }

        /** The hub's API as this machine reaches it; sessions reach it through a reverse tunnel (0: no tunnel). */
        public Builder hubApi(String host, int port) {
            this.hubApiHost = requireNonNull(host, "host is null");
            this.hubApiPort = port;
            return this;
        }

        /** Whether to open and hold tunnels (default true); a short-lived process (the CLI) does not. */
        public Builder holdTunnels(boolean value) {
            this.holdTunnels = value;
            return this;
        }

        /** Whether {@link #close()} stops the sessions this spawner started (default true). */
        public Builder stopOnClose(boolean value) {
            this.stopOnClose = value;
            return this;
        }

        /** Whether to schedule the expiry of recorded sessions (default true; the CLI checks on each command). */
        public Builder watchExpiry(boolean value) {
            this.watchExpiry = value;
            return this;
        }

        /** How long to wait for a resource's SSH server (default 5 minutes). */
        public Builder sshWait(Duration value) {
            this.sshWait = requireNonNull(value, "value is null");
            return this;
        }

        public Spawner build() {
            return new Spawner(this);
        }
    }
}
