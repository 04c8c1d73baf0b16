package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.LogLine;
import io.corc.api.SecureFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a log file that may still grow, from where the previous read stopped, and sends its complete lines. The
 * last line without a terminator is held back until {@link #flush}, so a line being written is never split.
 */
final class LogTail {
    private final Path file;
    private final int taskIndex;
    private final String stream;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long offset;

    LogTail(Path file, int taskIndex, String stream) {
        this.file = requireNonNull(file, "file is null");
        this.taskIndex = taskIndex;
        this.stream = requireNonNull(stream, "stream is null");
    }

    /** Sends the complete lines written since the last call; returns how many bytes were new. */
    long poll(Consumer<LogLine> sink) {
        if (!Files.exists(file)) {
            return 0;
        }
        long read = 0;
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            channel.position(offset);
            int count;
            while ((count = channel.read(buffer.clear())) > 0) {
                read += count;
                consume(buffer.array(), count, sink);
            }
        } catch (NoSuchFileException e) {
            return read;
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
        offset += read;
        return read;
    }

    /** Sends the held-back last line, if any; for when the writer is known to be done. */
    void flush(Consumer<LogLine> sink) {
        if (partial.size() > 0) {
            emit(sink);
        }
    }

    private void consume(byte[] bytes, int count, Consumer<LogLine> sink) {
        int start = 0;
        for (int i = 0; i < count; i++) {
            if (bytes[i] == '\n') {
                partial.write(bytes, start, i - start);
                emit(sink);
                start = i + 1;
            }
        }
        partial.write(bytes, start, count - start);
    }

    private void emit(Consumer<LogLine> sink) {
        String text = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        sink.accept(new LogLine(taskIndex, stream, text));
    }
}
