package io.corc.core.state;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's writer lock: an exclusive {@link FileLock} on one file, which serialises processes, plus one
 * {@link ReentrantLock} per lock file and JVM, which serialises threads (a JVM may hold a file lock only once). The
 * lock is reentrant for the thread that holds it. A process that dies loses its file lock, so a crash never leaves
 * the store locked.
 */
final class StateLock {
    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();
    private static final ExecutorService WAITERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "corc-state-lock-waiter");
        thread.setDaemon(true);
        return thread;
    });

    private final Path lockFile;
    private final Duration timeout;
    private final Holder holder;

    /** {@code lockFile} must be a real (symbolic-link-free, absolute) path so every store of a folder shares it. */
    StateLock(Path lockFile, Duration timeout) {
        this.lockFile = lockFile;
        this.timeout = timeout;
        this.holder = HOLDERS.computeIfAbsent(lockFile, path -> new Holder());
    }

    /** Runs {@code action} holding the lock, waiting up to the timeout for it. */
    <T> T holding(Locked<T> action) throws IOException {
        acquire();
        try {
            return action.run();
        } finally {
            release();
        }
    }

    private void acquire() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!holder.threads.tryLock(timeout.toNanos(), NANOSECONDS)) {
                throw held();
            }
        } catch (InterruptedException e) {
            throw cancelled(e);
        }
        if (holder.threads.getHoldCount() == 1) {
            try {
                holder.channel = lockFile(deadline - System.nanoTime());
            } catch (RuntimeException | Error e) {
                holder.threads.unlock();
                throw e;
            }
        }
    }

    private void release() {
        try {
            if (holder.threads.getHoldCount() == 1) {
                FileChannel channel = holder.channel;
                holder.channel = null;
                closeQuietly(channel); // releases the file lock
            }
        } finally {
            holder.threads.unlock();
        }
    }

    private FileChannel lockFile(long remainingNanos) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
            // Blocking lock() on a helper thread so that the wait has a deadline; closing the channel ends it.
            FileChannel waitingChannel = channel;
            Future<FileLock> waiting = WAITERS.submit(() -> waitingChannel.lock());
            waiting.get(Math.max(0, remainingNanos), NANOSECONDS);
            return channel;
        } catch (TimeoutException | OverlappingFileLockException e) {
            closeQuietly(channel);
            throw held();
        } catch (InterruptedException e) {
            closeQuietly(channel);
            throw cancelled(e);
        } catch (ExecutionException e) {
            closeQuietly(channel);
            Throwable cause = e.getCause();
            throw cause instanceof IOException io
                    ? SecureFiles.ioFailure("lock " + lockFile, io)
                    : CorcException.internal("could not lock " + lockFile, cause);
        } catch (IOException e) {
            closeQuietly(channel);
            throw SecureFiles.ioFailure("lock " + lockFile, e);
        }
    }

    private CorcException held() {
        return new CorcException(
                ErrorCategory.CONFLICT,
                "the state store is locked: could not lock " + lockFile + " within " + timeout.toMillis() + " ms",
                null,
                null,
                "another corc process holds the lock; wait for it to finish and try again",
                null);
    }

    private CorcException cancelled(InterruptedException cause) {
        Thread.currentThread().interrupt();
        return new CorcException(
                ErrorCategory.CANCELLED,
                "interrupted while waiting for the state store lock " + lockFile,
                null,
                null,
                null,
                cause);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock even when it reports an error; nothing else to undo
            }
        }
    }

    /** What runs under the lock. */
    @FunctionalInterface
    interface Locked<T> {
        T run() throws IOException;
    }

    /** Shared by all stores of one lock file in this JVM. */
    private static final class Holder {
        final ReentrantLock threads = new ReentrantLock();
        FileChannel channel; // guarded by threads
    }
}
