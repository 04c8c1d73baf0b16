package io.corc.cli;

import io.corc.broker.BrokerConfig;
import io.corc.broker.GridBroker;
import io.corc.broker.control.ControlCodec;
import io.corc.broker.daemon.BrokerDaemon;
import io.corc.broker.daemon.DaemonLauncher;
import io.corc.core.Corc;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code corc broker start|stop|status}: the daemon's lifecycle (docs/broker.md). */
final class BrokerDaemonCommands {
    private BrokerDaemonCommands() {}

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Start this organisation's broker: join the grid, publish the offers broker.yaml shares and answer"
                        + " the control API on 127.0.0.1.",
                "In the foreground until Ctrl-C or 'corc broker stop'; with --daemon in a detached process (output in"
                        + " broker.log of the state directory) and return once it answers. Either way it leaves the"
                        + " grid gracefully when stopped: it releases the leases its users hold and tears down what"
                        + " it serves."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker start --config broker.yaml",
                "  corc broker start --config broker.yaml --daemon -o json",
                "",
                "Exit codes: 0 started (or stopped, in the foreground); 2 bad broker.yaml; 3 no broker.yaml or no"
                        + " identity key; 6 a broker already runs with that state directory; 7 cannot join."
            })
    static final class Start implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--daemon", description = "Run detached and return once the broker answers.")
        boolean daemon;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "With --daemon: how long to wait for it to answer (default: ${DEFAULT-VALUE}).")
        String timeout = "60s";

        Start(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws InterruptedException {
            BrokerConfig config = BrokerCommands.Files.required(context);
            Path yaml = context.global.configFile == null
                    ? BrokerConfig.defaultHome(context.env).resolve("broker.yaml")
                    : context.workingDirectory().resolve(context.global.configFile);
            if (daemon) {
                DaemonLauncher.DaemonState state = DaemonLauncher.startDetached(
                        yaml, null, context.env, config.home(), Durations.parse("--timeout", timeout));
                Map<String, Object> view = daemonView(state, config.home());
                context.emit(Views.document("running", "daemon", view), out -> {
                    out.println("Broker " + config.organisation() + " running in grid " + config.grid() + " (pid "
                            + state.pid() + "), log: " + config.home().resolve(DaemonLauncher.LOG_FILE));
                    out.println("Stop it with: corc broker stop");
                });
                return ExitCodes.OK;
            }
            Corc corc = Corc.builder().environment(context.env).build();
            BrokerDaemon running = BrokerDaemon.start(config, corc, GridBroker::start);
            Thread hook = new Thread(running::close, "corc-broker-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("pid", running.pid());
                view.put("control_port", running.controlPort());
                view.put("state_dir", config.home().toString());
                view.put("broker", ControlCodec.status(running.broker().status()));
                context.emit(
                        Views.document("running", "daemon", view),
                        out -> out.println("Broker "
                                + config.organisation() + " running in grid " + config.grid() + " (pid " + running.pid()
                                + ", control API on 127.0.0.1:" + running.controlPort() + "). Ctrl-C stops it."));
                running.await();
            } catch (InterruptedException e) {
                // stopped by whoever runs corc in-process; Ctrl-C stops it through the shutdown hook
                Thread.currentThread().interrupt();
            } finally {
                running.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> daemonView(DaemonLauncher.DaemonState state, Path stateDir) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pid", state.running() ? state.pid() : null);
        view.put("state_dir", stateDir.toString());
        view.put("log", stateDir.resolve(DaemonLauncher.LOG_FILE).toString());
        view.put("stale_pid_removed", state.stalePidRemoved());
        view.put("broker", state.broker() == null ? null : ControlCodec.status(state.broker()));
        return view;
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stop the running broker gracefully: it releases what its users hold, tears down what it serves and"
                        + " leaves the grid. Falls back to SIGTERM, then SIGKILL, after --timeout.",
                "Stopping a broker that is not running is not an error (status not_running)."
            },
            footer = {"", "Examples:", "  corc broker stop", "  corc broker stop --config broker.yaml --timeout 2m"})
    static final class Stop implements Callable<Integer> {
        private final CliContext context;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "How long each step may take (default: ${DEFAULT-VALUE}).")
        String timeout = "60s";

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path stateDir = BrokerCommands.Files.stateDir(context);
            DaemonLauncher.StopResult result = DaemonLauncher.stop(stateDir, Durations.parse("--timeout", timeout));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("pid", result.pid() > 0 ? result.pid() : null);
            view.put("how", result.how());
            context.emit(
                    Views.document(result.wasRunning() ? "success" : "not_running", "stop", view),
                    out -> out.println(
                            result.wasRunning()
                                    ? "Stopped the broker (pid " + result.pid() + ", " + describe(result.how()) + ")"
                                    : "No broker is running (" + stateDir + ")"));
            return ExitCodes.OK;
        }

        private static String describe(String how) {
            return switch (how) {
                case "control" -> "gracefully";
                case "sigterm" -> "with SIGTERM after the control API did not stop it";
                default -> "with SIGKILL: it did not stop gracefully, its leases expire at their owners";
            };
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = {
                "Say whether the broker runs, with its pid, organisation, grid and members.",
                "Exit code 1 (status not_running) when it does not run; a stale pid file is removed."
            },
            footer = {"", "Examples:", "  corc broker status", "  corc broker status -o json"})
    static final class Status implements Callable<Integer> {
        private final CliContext context;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path stateDir = BrokerCommands.Files.stateDir(context);
            DaemonLauncher.DaemonState state = DaemonLauncher.status(stateDir);
            context.emit(
                    Views.document(state.running() ? "running" : "not_running", "daemon", daemonView(state, stateDir)),
                    out -> {
                        if (!state.running()) {
                            out.println("Not running (" + stateDir + ")"
                                    + (state.stalePidRemoved()
                                            ? "; removed the stale pid file of process " + state.pid()
                                            : ""));
                            return;
                        }
                        var b = state.broker();
                        if (b == null) {
                            out.println("Running (pid " + state.pid() + "), but its control API does not answer");
                            return;
                        }
                        out.println("Running: " + b.organisation() + " in grid " + b.grid() + " (pid " + state.pid()
                                + ", " + b.state() + ")");
                        out.println("Key: " + b.keyFingerprint());
                        out.println("Address: " + b.address());
                        out.println("Members (" + b.members().size() + "): " + String.join(", ", b.members()));
                        out.println("Leases: " + b.leasesOwned() + " served, " + b.leasesHeld() + " held");
                    });
            return state.running() ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
        }
    }
}
