package io.corc.broker.daemon;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerService;
import io.corc.broker.control.ControlServer;
import io.corc.core.Corc;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A broker running in this process: the pid file, the broker itself and its control API, started in that order and
 * closed in reverse. {@link #close} (from {@code POST /v1/shutdown}, SIGTERM through the shutdown hook, or Ctrl-C in
 * the foreground) closes the control API first so no new request arrives, then the broker, which leaves the grid
 * gracefully (releases what it holds, tears down or hands back what it owns), then removes the pid file.
 *
 * <p>Lifecycle: {@code starting} (pid file written, refusing a second broker in the same state directory) ->
 * {@code running} (control API answers) -> {@code stopping} -> {@code stopped}. docs/broker.md describes it.
 */
public final class BrokerDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerDaemon.class.getName());

    /** Starts the broker of a configuration (the daemon uses {@code GridBroker::start}; tests their own). */
    @FunctionalInterface
    public interface BrokerFactory {
        BrokerService start(BrokerConfig config, Corc corc);
    }

    private final BrokerConfig config;
    private final PidFile pidFile;
    private final BrokerService broker;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private ControlServer control;
    private boolean closing;

    private BrokerDaemon(BrokerConfig config, PidFile pidFile, BrokerService broker) {
        this.config = config;
        this.pidFile = pidFile;
        this.broker = broker;
    }

    /**
     * Starts a broker for {@code config} in this process.
     *
     * @throws CorcException CONFLICT when a broker already runs with this state directory
     */
    public static BrokerDaemon start(BrokerConfig config, Corc corc, BrokerFactory factory) {
        requireNonNull(config, "config is null");
        requireNonNull(factory, "factory is null");
        SecureFiles.privateDirectory(config.home());
        Optional<PidFile> existing = PidFile.read(config.home());
        if (existing.isPresent()
                && existing.get().pid() != ProcessHandle.current().pid()) {
            if (!existing.get().stale()) {
                throw new CorcException(
                                ErrorCategory.CONFLICT,
                                "a broker already runs with the state directory " + config.home() + " (pid "
                                        + existing.get().pid() + ")")
                        .withContext("broker", "start")
                        .withHint("'corc broker stop' stops it; another broker needs its own home in broker.yaml");
            }
            LOG.info("removing the stale pid file of process " + existing.get().pid());
            existing.get().remove();
        }
        PidFile pid = PidFile.writeCurrent(config.home());
        BrokerService broker;
        try {
            broker = factory.start(config, corc);
        } catch (RuntimeException e) {
            pid.remove();
            throw e;
        }
        BrokerDaemon daemon = new BrokerDaemon(config, pid, broker);
        try {
            daemon.control = ControlServer.builder(broker)
                    .stateDir(config.home())
                    .tokenFile(config.controlTokenFile())
                    .port(config.controlPort())
                    .onShutdown(daemon::close)
                    .start();
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    public BrokerConfig config() {
        return config;
    }

    public BrokerService broker() {
        return broker;
    }

    /** The control API's port. */
    public int controlPort() {
        return control.port();
    }

    public long pid() {
        return pidFile.pid();
    }

    /** Blocks until the daemon has stopped (by {@link #close}, the control API's shutdown or a signal). */
    public void await() throws InterruptedException {
        stopped.await();
    }

    /** Waits at most {@code timeout} for the daemon to stop; true when it has. */
    public boolean await(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops answering the control API, leaves the grid gracefully and removes the pid file. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            if (control != null) {
                control.close();
            }
            broker.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the broker did not close cleanly", e);
        } finally {
            pidFile.remove();
            stopped.countDown();
        }
    }
}
