package io.vigil.server.handling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acks, mutes and maintenance as the hub sees them, on a clock the test moves; what a restart keeps. */
class AlarmHandlingTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final Set<String> streams = Set.of("e1", "e2", "e3");
    final Map<String, List<String>> groups = Map.of("e3", List.of("sports"));
    final List<Event> heard = new ArrayList<>();

    @TempDir
    Path state;

    AlarmHandling handling(EventHub hub, List<MaintenanceWindow> windows, HandlingStore store) {
        AlarmHandling h = new AlarmHandling(clock, windows, new AlarmHandling.Streams() {
            @Override
            public boolean exists(String id) {
                return streams.contains(id);
            }

            @Override
            public List<String> groups(String id) {
                return groups.getOrDefault(id, List.of());
            }
        }, store).attach(hub);
        hub.subscribe(p -> {
            if (p.payload() instanceof Event e) {
                heard.add(e);
            }
        });
        return h;
    }

    static Event.Alarm alarm(String stream, String detector, boolean firing) {
        return new Event.Alarm(firing ? Event.Alarm.FIRING : Event.Alarm.RESOLVED, detector, stream, null,
                stream + "/" + detector, "critical", 10.0, firing ? null : 14.0, firing ? null : 4.0,
                "2026-12-07T10:00:00Z", null, "test", Map.of(), null, null);
    }

    Event.Alarm last() {
        return (Event.Alarm) heard.getLast();
    }

    @Test
    void aMutedDetectorsAlarmsAreSuppressedUntilTheMuteEndsAndTheirResolutionsToo() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), null);
        Event.Mute mute = h.mute("e1", "freeze", 30.0, null, "ana", "encoder swap");
        assertThat(heard.getLast()).isEqualTo(mute);
        assertThat(mute.until()).isEqualTo("2026-12-07T10:30:00.000Z");
        assertThat(mute.ended()).isNull();

        hub.accept(alarm("e1", "freeze", true));
        assertThat(last().suppressed()).isTrue();
        hub.accept(alarm("e1", "black", true));
        assertThat(last().suppressed()).as("another detector").isNull();
        clock.advance(Duration.ofMinutes(31));
        hub.accept(alarm("e1", "freeze", false));
        assertThat(last().suppressed()).as("its firing was suppressed").isTrue();
        hub.accept(alarm("e1", "freeze", true));
        assertThat(last().suppressed()).as("the mute ran out").isNull();
        assertThat(h.mutes()).isEmpty();
    }

    @Test
    void aStreamMuteCoversEveryDetectorAndUnmutingEndsIt() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), null);
        Event.Mute mute = h.mute("e2", null, null, "2026-12-07T12:00:00+01:00", "bo", null);
        assertThat(mute.until()).isEqualTo("2026-12-07T11:00:00.000Z");
        assertThat(h.mutes()).extracting(MuteRule::id).containsExactly(mute.id());
        hub.accept(alarm("e2", "silence", true));
        assertThat(last().silenced()).isTrue();

        clock.advance(Duration.ofMinutes(5));
        Event.Mute ended = h.unmute(mute.id(), "cy");
        assertThat(ended.ended()).isTrue();
        assertThat(ended.until()).isEqualTo("2026-12-07T10:05:00.000Z");
        assertThat(ended.by()).isEqualTo("cy");
        assertThat(heard.getLast()).isEqualTo(ended);
        assertThat(h.mutes()).isEmpty();
        hub.accept(alarm("e2", "black", true));
        assertThat(last().silenced()).isFalse();
        assertThatThrownBy(() -> h.unmute(mute.id(), "cy")).isInstanceOf(HandlingRefusedException.class)
                .extracting(e -> ((HandlingRefusedException) e).reason())
                .isEqualTo(HandlingRefusedException.Reason.NOT_FOUND);
    }

    @Test
    void muteRequestsAreChecked() {
        AlarmHandling h = handling(new EventHub(10), List.of(), null);
        assertRefused(() -> h.mute("nope", null, 5.0, null, "ana", null), HandlingRefusedException.Reason.NOT_FOUND);
        assertRefused(() -> h.mute("e1", null, null, null, "ana", null), HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, 5.0, "2026-12-07T12:00:00Z", "ana", null),
                HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, 0.0, null, "ana", null), HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, 20_000.0, null, "ana", null), HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, null, "2026-12-07T09:00:00Z", "ana", null),
                HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, null, "tomorrow", "ana", null), HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", "Black!", 5.0, null, "ana", null), HandlingRefusedException.Reason.INVALID);
        assertRefused(() -> h.mute("e1", null, 5.0, null, " ", null), HandlingRefusedException.Reason.INVALID);
    }

    @Test
    void anAckNeedsAFiringAlarmAndLastsUntilItResolves() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), null);
        assertRefused(() -> h.acknowledge("e1/black", "ana", null), HandlingRefusedException.Reason.CONFLICT);
        assertRefused(() -> h.acknowledge("zz/black", "ana", null), HandlingRefusedException.Reason.NOT_FOUND);
        hub.accept(alarm("e1", "black", true));
        Event.Ack ack = h.acknowledge("e1/black", "ana", "looking");
        assertThat(ack).isEqualTo(new Event.Ack("e1", "black", "e1/black", "ana", "looking", "2026-12-07T10:00:00.000Z"));
        assertThat(heard.getLast()).isEqualTo(ack);
        assertThat(h.ackOf("e1/black")).contains(ack);
        hub.accept(alarm("e1", "black", false));
        assertThat(h.ackOf("e1/black")).isEmpty();
    }

    @Test
    void aMaintenanceWindowSuppressesTheAlarmsOfItsStreamsAndGroupsWhileItRuns() {
        EventHub hub = new EventHub(100);
        MaintenanceWindow nightly = MaintenanceWindow.recurring("nightly", List.of("e1"), List.of("sports"),
                EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(11, 0), Duration.ofHours(1), ZoneId.of("Europe/Berlin"));
        AlarmHandling h = handling(hub, List.of(nightly), null);
        hub.accept(alarm("e3", "black", true));
        assertThat(last().silenced()).as("11:00 Berlin").isTrue();
        hub.accept(alarm("e1", "black", true));
        assertThat(last().silenced()).isTrue();
        hub.accept(alarm("e2", "black", true));
        assertThat(last().silenced()).as("not covered").isFalse();
        assertThat(h.maintenance()).singleElement().satisfies(s -> {
            assertThat(s.active()).isTrue();
            assertThat(s.activeUntil()).isEqualTo(Instant.parse("2026-12-07T11:00:00Z"));
            assertThat(s.nextStart()).isEqualTo(Instant.parse("2026-12-14T10:00:00Z"));
        });
        clock.advance(Duration.ofHours(1));
        hub.accept(alarm("e3", "freeze", true));
        assertThat(last().silenced()).as("the window has closed").isFalse();
        hub.accept(alarm("e3", "black", false));
        assertThat(last().silenced()).as("resolution of a suppressed firing").isTrue();
    }

    @Test
    void acksAndMutesSurviveARestartAndTheStopsResolutionsDoNotDropTheAcks() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), new HandlingStore(state));
        hub.accept(alarm("e1", "black", true));
        h.acknowledge("e1/black", "ana", "looking");
        Event.Mute mute = h.mute("e2", null, 60.0, null, "bo", "rebuild");
        h.close();
        hub.accept(alarm("e1", "black", false));   // the stop resolves what fires

        EventHub again = new EventHub(100);
        heard.clear();
        clock.advance(Duration.ofMinutes(2));
        AlarmHandling restarted = handling(again, List.of(), new HandlingStore(state));
        assertThat(restarted.ackOf("e1/black")).hasValueSatisfying(a -> assertThat(a.by()).isEqualTo("ana"));
        assertThat(restarted.mutes()).extracting(MuteRule::id).containsExactly(mute.id());
        again.accept(alarm("e2", "black", true));
        assertThat(last().silenced()).isTrue();
        again.accept(alarm("e1", "black", true));
        assertThat(restarted.ackOf("e1/black")).as("fired again within the grace").isPresent();
        again.accept(alarm("e1", "black", false));
        assertThat(restarted.ackOf("e1/black")).isEmpty();
    }

    @Test
    void aRestoredAckIsDroppedWhenItsAlarmComesBackOnlyAfterTheGrace() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), new HandlingStore(state));
        hub.accept(alarm("e1", "black", true));
        h.acknowledge("e1/black", "ana", null);
        h.close();
        EventHub again = new EventHub(100);
        AlarmHandling restarted = handling(again, List.of(), new HandlingStore(state));
        clock.advance(AlarmHandling.RESTORED_ACK_GRACE.plusSeconds(1));
        again.accept(alarm("e1", "black", true));
        assertThat(restarted.ackOf("e1/black")).isEmpty();
    }

    @Test
    void acksAndMutesOtherFleetNodesMadeApplyHereToo() {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), null);
        hub.acceptRemote(new Event.Mute("m1", "e1", null, "2026-12-07T11:00:00Z", "ana", null,
                "2026-12-07T10:00:00Z", null), "all");
        hub.accept(alarm("e1", "black", true));
        assertThat(last().silenced()).isTrue();
        hub.acceptRemote(new Event.Ack("e1", "black", "e1/black", "bo", null, "2026-12-07T10:00:01Z"), "all");
        assertThat(h.ackOf("e1/black")).isPresent();
        hub.acceptRemote(new Event.Mute("m1", "e1", null, "2026-12-07T10:01:00Z", "ana", null,
                "2026-12-07T10:01:00Z", true), "all");
        assertThat(h.mutes()).isEmpty();
    }

    static void assertRefused(Runnable r, HandlingRefusedException.Reason reason) {
        assertThatThrownBy(r::run).isInstanceOf(HandlingRefusedException.class)
                .satisfies(e -> assertThat(((HandlingRefusedException) e).reason()).isEqualTo(reason))
                .satisfies(e -> assertThat(e.getMessage()).matches("[A-Z].*\\.$"));
    }

    /**
     * An acknowledgement racing the alarm's resolution: either it is refused (the alarm no longer fires) or it lands
     * before the resolution, which then clears it; never after, where it would stay and pre-acknowledge the alarm's
     * next firing. (The look-up of the firing alarm and the recording of the ack were two steps, a resolution could
     * come between.)
     */
    @Test
    void anAckRacingTheResolutionNeverOutlivesIt() throws Exception {
        EventHub hub = new EventHub(100);
        AlarmHandling h = handling(hub, List.of(), null);
        for (int i = 0; i < 2000; i++) {
            hub.accept(alarm("e1", "black", true));
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread resolver = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hub.accept(alarm("e1", "black", false));
            });
            go.countDown();
            try {
                h.acknowledge("e1/black", "ana", null);
            } catch (HandlingRefusedException e) {
                assertThat(e.reason()).isEqualTo(HandlingRefusedException.Reason.CONFLICT);
            }
            resolver.join();
            assertThat(h.ackOf("e1/black")).as("round %d: no ack left once the alarm resolved", i).isEmpty();
        }
    }
}
