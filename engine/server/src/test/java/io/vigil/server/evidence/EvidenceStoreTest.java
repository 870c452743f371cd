package io.vigil.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence folder's budget: over its size the oldest files leave first; past its time they leave too; what an
 * earlier run kept is served again after a restart, within the same budget; names are never paths.
 */
class EvidenceStoreTest {
    @TempDir
    Path dir;

    private static EvidenceSettings budget(Path folder, double keepHours, double megabytes) {
        return new EvidenceSettings(true, folder, keepHours, megabytes, true, 5, 5, 30, 32);
    }

    private Path picture(EvidenceStore store, String name, int bytes) throws Exception {
        Path written = store.incoming().resolve(name);
        Files.write(written, new byte[bytes]);
        return written;
    }

    @Test
    void overItsSizeTheOldestLeaveFirst() throws Exception {
        Path folder = dir.resolve("evidence");
        try (EvidenceStore store = EvidenceStore.open(budget(folder, 24, 1), null, "")) {
            for (int i = 1; i <= 4; i++) {
                String url = store.keep(picture(store, "w" + i, 400_000), "a" + i + ".jpg");
                assertThat(url).isEqualTo("/api/evidence/a" + i + ".jpg");
                assertThat(store.totalBytes()).isLessThanOrEqualTo(1024 * 1024);
            }
            assertThat(store.names()).containsExactly("a3.jpg", "a4.jpg");
            assertThat(Files.exists(folder.resolve("a1.jpg"))).isFalse();
            assertThat(store.find("a1.jpg")).isInstanceOf(EvidenceStore.Lookup.Missing.class);
            assertThat(store.find("a4.jpg")).isInstanceOfSatisfying(EvidenceStore.Lookup.Found.class,
                    f -> assertThat(f.contentType()).isEqualTo("image/jpeg"));
        }
    }

    @Test
    void aRestartServesWhatWasKeptWithinTheBudgetAndLetsTheExpiredGo() throws Exception {
        Path folder = dir.resolve("evidence");
        String kept;
        try (EvidenceStore store = EvidenceStore.open(budget(folder, 2, 64), null, "")) {
            store.keep(picture(store, "old", 1000), "old.jpg");
            kept = store.uniqueStem("cam/black-4000") + ".jpg";
            store.keep(picture(store, "new", 1000), kept);
            // A clip half written when the service was killed, and a picture never named (an earlier run's).
            Files.write(folder.resolve("x.mp4.part"), new byte[10]);
            Files.createDirectories(folder.resolve(".incoming/killed"));
            Files.write(folder.resolve(".incoming/killed/stray.jpg"), new byte[10]);
            // Another store's clip being written now.
            Files.write(folder.resolve("y.mp4.part"), new byte[10]);
        }
        FileTime hoursAgo = FileTime.from(Instant.now().minus(3, ChronoUnit.HOURS));
        Files.setLastModifiedTime(folder.resolve("old.jpg"), hoursAgo);
        Files.setLastModifiedTime(folder.resolve("x.mp4.part"), hoursAgo);
        Files.setLastModifiedTime(folder.resolve(".incoming/killed"), hoursAgo);
        try (EvidenceStore store = EvidenceStore.open(budget(folder, 2, 64), null, "http://node-1:8321/")) {
            assertThat(store.names()).containsExactly(kept);
            assertThat(kept).startsWith("cam_black-4000-");
            assertThat(store.url(kept)).isEqualTo("http://node-1:8321/api/evidence/" + kept);
            assertThat(Files.exists(folder.resolve("old.jpg"))).isFalse();
            assertThat(Files.exists(folder.resolve("x.mp4.part"))).isFalse();
            assertThat(Files.exists(folder.resolve("y.mp4.part"))).isTrue();
            assertThat(Files.exists(folder.resolve(".incoming/killed"))).isFalse();
            assertThat(Files.list(store.incoming()).count()).isZero();
            // A new run never reuses an earlier run's names.
            assertThat(store.uniqueStem("cam/black-4000") + ".jpg").isNotEqualTo(kept);
        }
    }

    @Test
    void aClipIsPendingUntilWrittenAndFailedWithWhyWhenItCannotBe() throws Exception {
        try (EvidenceStore store = EvidenceStore.open(budget(dir, 24, 64), null, null)) {
            store.expect("c.mp4", 3);
            assertThat(store.find("c.mp4")).isInstanceOfSatisfying(EvidenceStore.Lookup.Pending.class,
                    p -> assertThat(p.retryAfterSeconds()).isBetween(1L, 3L));
            Files.write(dir.resolve("c.mp4"), new byte[123]);
            store.written("c.mp4");
            assertThat(store.find("c.mp4")).isInstanceOfSatisfying(EvidenceStore.Lookup.Found.class,
                    f -> assertThat(f.bytes()).isEqualTo(123));
            store.expect("d.ts", 3);
            store.failed("d.ts", "no clip: a reason");
            assertThat(store.find("d.ts")).isEqualTo(new EvidenceStore.Lookup.Failed("no clip: a reason"));
        }
    }

    @Test
    void namesAreNeverPaths() throws Exception {
        try (EvidenceStore store = EvidenceStore.open(budget(dir.resolve("e"), 24, 64), null, "")) {
            Files.write(dir.resolve("secret.jpg"), new byte[10]);
            for (String name : new String[] {"../secret.jpg", "..", ".incoming", "a/b.jpg", "x.txt", "", ".hidden.jpg"}) {
                assertThat(store.find(name)).as(name).isInstanceOf(EvidenceStore.Lookup.Missing.class);
            }
        }
    }

    @Test
    void aClipWhoseWriterFinishedBeforeItWasAnnouncedIsNotPendingForever() throws Exception {
        try (EvidenceStore store = EvidenceStore.open(budget(dir.resolve("evidence"), 24, 64), null, "")) {
            // The writer can finish first when the post-roll was already read (a file's end): the order CI once saw.
            store.failed("a.mp4", "avio_open failed");
            store.expect("a.mp4", 5);
            assertThat(store.find("a.mp4")).isInstanceOf(EvidenceStore.Lookup.Failed.class);
            Files.write(store.dir().resolve("b.mp4"), new byte[100]);
            store.written("b.mp4");
            store.expect("b.mp4", 5);
            assertThat(store.find("b.mp4")).isInstanceOf(EvidenceStore.Lookup.Found.class);
            store.expect("c.mp4", 5);
            assertThat(store.find("c.mp4")).isInstanceOf(EvidenceStore.Lookup.Pending.class);
        }
    }
}
