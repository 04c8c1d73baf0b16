package io.corc.provider.oci;

import com.oracle.bmc.core.model.CaptureConsoleHistoryDetails;
import com.oracle.bmc.core.model.ConsoleHistory;
import com.oracle.bmc.core.requests.CaptureConsoleHistoryRequest;
import com.oracle.bmc.core.requests.DeleteConsoleHistoryRequest;
import com.oracle.bmc.core.requests.GetConsoleHistoryContentRequest;
import com.oracle.bmc.core.requests.GetConsoleHistoryRequest;
import io.corc.api.CorcException;
import io.corc.api.SshProbe;
import java.util.Map;

/**
 * The instance's SSH host keys as cloud-init prints them on the serial console ({@code -----BEGIN SSH HOST KEY
 * KEYS-----} ... {@code -----END SSH HOST KEY KEYS-----}), read through a console history capture that corc deletes
 * again. corc pins them before its first connection, so that connection is verified instead of trusted on first use.
 * Best effort: when the console cannot be read or holds no keys, the resource simply has none.
 */
final class HostKeys {
    private HostKeys() {}

    /** The host key lines in a console text, newline separated; empty when there are none. */
    static String parse(String console) {
        return SshProbe.hostKeysFromConsole(console);
    }

    /**
     * Captures the console, reads it and deletes the capture. Waits at most {@code attempts} polls for the capture.
     *
     * @return the host keys, or empty
     */
    static String read(
            OciCalls calls, String instanceId, Map<String, String> tags, String token, Runnable pause, int attempts) {
        String historyId = null;
        try {
            ConsoleHistory history = calls.compute(
                    "CaptureConsoleHistory", c -> c.captureConsoleHistory(CaptureConsoleHistoryRequest.builder()
                                    .opcRetryToken(token)
                                    .captureConsoleHistoryDetails(CaptureConsoleHistoryDetails.builder()
                                            .instanceId(instanceId)
                                            .freeformTags(tags)
                                            .build())
                                    .build())
                            .getConsoleHistory());
            historyId = history.getId();
            String id = historyId;
            String state = history.getLifecycleState().getValue();
            for (int i = 0; i < attempts && !state.equals("SUCCEEDED") && !state.equals("FAILED"); i++) {
                pause.run();
                state = calls.compute("GetConsoleHistory", c -> c.getConsoleHistory(GetConsoleHistoryRequest.builder()
                                        .instanceConsoleHistoryId(id)
                                        .build())
                                .getConsoleHistory())
                        .getLifecycleState()
                        .getValue();
            }
            if (!state.equals("SUCCEEDED")) {
                return "";
            }
            String console = calls.compute("GetConsoleHistoryContent", c -> c.getConsoleHistoryContent(
                            GetConsoleHistoryContentRequest.builder()
                                    .instanceConsoleHistoryId(id)
                                    .length(10_000_000)
                                    .build())
                    .getValue());
            return parse(console);
        } catch (CorcException e) {
            return "";
        } finally {
            if (historyId != null) {
                String id = historyId;
                try {
                    calls.compute(
                            "DeleteConsoleHistory",
                            c -> c.deleteConsoleHistory(DeleteConsoleHistoryRequest.builder()
                                    .instanceConsoleHistoryId(id)
                                    .build()));
                } catch (CorcException e) {
                    // a console capture left behind costs nothing and holds nothing secret
                }
            }
        }
    }
}
