package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.protocol.Bodies;
import io.corc.broker.protocol.Envelope;
import io.corc.broker.protocol.MessageType;
import io.corc.broker.protocol.WireCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted messages put on the channel by a member that got past the transport (it holds the group key): each kind
 * of bad message is dropped and counted by reason, and a valid one from the same member is accepted.
 */
class MessageSecurityTest {
    @TempDir
    Path dir;

    @Test
    void forgedUntrustedWrongGridReplayedStaleAndUnsignedMessagesAreDroppedAndCounted() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "mallory")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("small", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            BrokerIdentity mallory = grid.identities.get("mallory");
            BrokerIdentity eve = BrokerIdentity.ephemeral("eve"); // trusted by nobody
            try (RawMember raw =
                    new RawMember(grid, mallory, grid.config("mallory").build(), grid.trustAll())) {
                grid.awaitView(2);
                long now = System.currentTimeMillis();
                Map<String, Object> offer = Bodies.offer(
                        List.of(new ResourceClass("fake", 64, 256, 8, "a100", 5, 0, 0, List.of(), Duration.ofHours(1))),
                        Instant.now().plusSeconds(30));
                BrokerMetrics metrics = alpha.metricsRegistry();

                Envelope good = raw.envelope(MessageType.OFFER, Envelope.BROADCAST, now, offer);
                byte[] forged = RawMember.signed(good, mallory);
                forged[forged.length - 1] ^= 1; // last byte of the signature
                raw.broadcast(forged);

                Envelope asEve = new Envelope(
                        MessageType.OFFER, "eve", eve.fingerprint(), TestGrid.GRID, "*", now, "n-eve", 1, null, offer);
                raw.broadcast(RawMember.signed(asEve, eve));

                Envelope eveClaimsMallory = new Envelope(
                        MessageType.OFFER,
                        "mallory",
                        eve.fingerprint(),
                        TestGrid.GRID,
                        "*",
                        now,
                        "n-eve-2",
                        2,
                        null,
                        offer);
                raw.broadcast(RawMember.signed(eveClaimsMallory, eve));

                Envelope otherGrid = new Envelope(
                        MessageType.OFFER,
                        "mallory",
                        mallory.fingerprint(),
                        "other-grid",
                        "*",
                        now,
                        "n-grid",
                        3,
                        null,
                        offer);
                raw.broadcast(RawMember.signed(otherGrid, mallory));

                raw.broadcast(RawMember.signed(
                        raw.envelope(MessageType.OFFER, Envelope.BROADCAST, now - 60_000, offer), mallory));

                raw.broadcast(WireCodec.frame(WireCodec.json(good), new byte[0]));

                raw.unicast(
                        "alpha", RawMember.signed(raw.envelope(MessageType.RESERVE, "gamma", now, Map.of()), mallory));

                raw.broadcast("not a broker frame".getBytes(java.nio.charset.StandardCharsets.UTF_8));

                byte[] valid = RawMember.signed(good, mallory);
                raw.broadcast(valid);
                raw.broadcast(valid);

                await("alpha counted every bad message", () -> metrics.total(BrokerMetrics.DROPPED) >= 9);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "bad_signature"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "untrusted"))
                        .isEqualTo(2);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "wrong_grid"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "stale"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "unsigned"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "misdirected"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "malformed"))
                        .isEqualTo(1);
                assertThat(metrics.count(BrokerMetrics.DROPPED, "reason", "replayed"))
                        .isEqualTo(1);
                assertThat(metrics.total(BrokerMetrics.DROPPED)).isEqualTo(9);
                assertThat(alpha.metrics())
                        .contains("corc_broker_messages_dropped_total{reason=\"replayed\"} 1")
                        .contains("corc_broker_messages_dropped_total{reason=\"bad_signature\"} 1");
                // the one valid copy was accepted: mallory's offer is in alpha's book, nobody else's
                assertThat(alpha.offers()).extracting(MemberOffer::organisation).containsExactly("alpha", "mallory");
                assertThat(alpha.leases()).isEmpty();
            }
        }
    }

    @Test
    void aBrokerWhoseKeyIsNotTrustedCannotJoinTheView() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "eve")) {
            TrustStore alphaTrust = TrustStore.inMemory();
            alphaTrust.add(grid.identities.get("alpha").publicKeyText());
            GridBroker alpha = grid.start(grid.config("alpha").build(), alphaTrust);

            assertThatThrownBy(() -> grid.start(grid.config("eve").build()))
                    .isInstanceOfSatisfying(CorcException.class, e -> {
                        assertThat(e.category()).isEqualTo(io.corc.api.ErrorCategory.AUTHENTICATION);
                        assertThat(e.getMessage()).contains("authentication failed");
                    });
            assertThat(alpha.peers()).hasSize(1);
        }
    }
}
