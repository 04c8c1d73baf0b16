package io.corc.broker.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import io.corc.broker.BrokerConfig;
import io.corc.broker.GridBroker;
import io.corc.core.Corc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The broker daemon's process: {@code java -cp ... io.corc.broker.daemon.BrokerDaemonMain --config broker.yaml
 * [--corc-config config.yaml]}. Loads corc's configuration the normal way ({@code Corc.builder()}, with {@code
 * CORC_HOME} and {@code CORC_*} from the environment), runs a {@link GridBroker} with its control API until {@code
 * POST /v1/shutdown} or SIGTERM/SIGINT, then leaves the grid gracefully. Exit codes: 0 stopped, 2 bad
 * configuration, 6 another broker runs there, 7 cannot join, 70 anything else; a failure to start is also written
 * to {@code start-failure.json} in the state directory for the command that launched it.
 */
public final class BrokerDaemonMain {
    private BrokerDaemonMain() {}

    public static void main(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Map<String, String> env = System.getenv();
        BrokerConfig config = null;
        BrokerDaemon daemon;
        try {
            if (!options.containsKey("config")) {
                throw CorcException.invalidInput("usage: BrokerDaemonMain --config broker.yaml [--corc-config FILE]");
            }
            config = load(Path.of(options.get("config")), env);
            Corc corc = Corc.builder()
                    .environment(env)
                    .configFile(options.containsKey("corc-config") ? Path.of(options.get("corc-config")) : null)
                    .build();
            daemon = BrokerDaemon.start(config, corc, GridBroker::start);
        } catch (CorcException e) {
            report(config, e);
            System.exit(exitCode(e.category()));
            return;
        } catch (RuntimeException e) {
            report(config, CorcException.internal(String.valueOf(e), e));
            e.printStackTrace();
            System.exit(70);
            return;
        }
        BrokerDaemon running = daemon;
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "corc-broker-sigterm"));
        System.out.println(Instant.now() + " corc broker " + config.organisation() + " running in grid " + config.grid()
                + ", pid " + running.pid() + ", control API on 127.0.0.1:" + running.controlPort());
        System.out.flush();
        try {
            running.await();
        } catch (InterruptedException e) {
            running.close();
        }
        System.out.println(Instant.now() + " corc broker " + config.organisation() + " stopped");
        System.out.flush();
        System.exit(0);
    }

    /** Reads broker.yaml with this process's environment (CORC_HOME decides the default state directory). */
    static BrokerConfig load(Path yaml, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CorcException.notFound("cannot read the broker configuration " + yaml)
                    .withHint("write one like config-examples/broker.yaml, or give --config");
        }
        return BrokerConfig.parse(text, yaml.toString(), yaml.toAbsolutePath().getParent(), env);
    }

    private static void report(BrokerConfig config, CorcException e) {
        System.err.println("corc broker: error: " + e.getMessage());
        e.hint().ifPresent(hint -> System.err.println("hint: " + hint));
        if (config == null) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("category", e.category().name().toLowerCase(Locale.ROOT));
        body.put("message", e.getMessage());
        body.put("hint", e.hint().orElse(null));
        try {
            SecureFiles.writeAtomically(
                    config.home().resolve(DaemonLauncher.START_FAILURE_FILE),
                    new ObjectMapper().writeValueAsBytes(body));
        } catch (IOException | RuntimeException ignored) {
            // the log has the message
        }
    }

    private static int exitCode(ErrorCategory category) {
        return switch (category) {
            case INVALID_INPUT -> 2;
            case NOT_FOUND -> 3;
            case AUTHENTICATION -> 4;
            case CAPACITY -> 5;
            case CONFLICT -> 6;
            case THROTTLED, UNAVAILABLE -> 7;
            case CANCELLED -> 130;
            case INTERNAL -> 70;
        };
    }
}
