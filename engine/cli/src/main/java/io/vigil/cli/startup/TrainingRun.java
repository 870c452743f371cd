package io.vigil.cli.startup;

import io.vigil.cli.Main;
import io.vigil.engine.pipeline.SyntheticClip;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the launcher runs once after a build, under {@code -XX:AOTCacheOutput}: makes a small clip with a black, a
 * frozen and a silent stretch and analyses it the ways people run vigil (JSON lines with every detector, text with
 * none), so that the classes and method profiles of that path are in the cache the next runs start from (JEP 483,
 * 514, 515). Its output goes nowhere; exit code 0 when every analysis ran to the end.
 */
public final class TrainingRun {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 180;
    private static final int FPS = 25;
    private static final int SAMPLE_RATE = 48_000;
    private static final int FRAMES = 3 * FPS;

    private TrainingRun() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("vigil-training");
        Path clip = dir.resolve("training.mkv");
        PrintStream out = System.out;
        PrintStream err = System.err;
        int worst;
        try {
            writeClip(clip);
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true);
            System.setOut(nowhere);
            System.setErr(nowhere);
            worst = Math.max(
                    Main.execute("analyze", clip.toString(), "--format", "jsonl", "--threads", "1", "--detectors", "all"),
                    Main.execute("analyze", clip.toString(), "--format", "text", "--threads", "1", "--detectors", "none"));
        } finally {
            System.setOut(out);
            System.setErr(err);
            Files.deleteIfExists(clip);
            Files.deleteIfExists(dir);
        }
        if (worst != 0) {
            err.println("vigil training run: analyze exited with " + worst);
            System.exit(1);
        }
    }

    /** Moving grey bands and a tone; black for the second 0.5..1.0, a still picture for 1.5..2.0, silence after 2.0. */
    private static void writeClip(Path file) {
        int samplesPerFrame = SAMPLE_RATE / FPS;
        // 400 Hz: 16 whole periods in each 1/25 s frame, so that one frame's tone serves them all without a click.
        float[] tone = new float[samplesPerFrame];
        for (int i = 0; i < samplesPerFrame; i++) {
            tone[i] = (float) (0.07 * Math.sin(2 * Math.PI * 400 * i / SAMPLE_RATE));
        }
        float[][] sound = {tone, tone};
        float[][] silence = {new float[samplesPerFrame], new float[samplesPerFrame]};
        try (SyntheticClip writer = SyntheticClip.create(file, WIDTH, HEIGHT, FPS, SAMPLE_RATE, 2, FRAMES)) {
            for (int f = 0; f < FRAMES; f++) {
                boolean black = f >= FPS / 2 && f < FPS;
                int shown = f >= 3 * FPS / 2 && f < 2 * FPS ? 3 * FPS / 2 : f;
                writer.writeVideo((index, y, yStride, u, v, cStride) -> paint(shown, black, y, yStride, u, v, cStride));
                writer.writeAudio(f >= 2 * FPS ? silence : sound, samplesPerFrame);
            }
        }
    }

    /** Horizontal bands that move down a row a frame: enough for the detectors, row by row for speed. */
    private static void paint(int frame, boolean black, MemorySegment y, int yStride, MemorySegment u,
                              MemorySegment v, int cStride) {
        for (int row = 0; row < HEIGHT; row++) {
            y.asSlice((long) row * yStride, WIDTH).fill((byte) (black ? 16 : 40 + (row + frame) % 180));
        }
        for (int row = 0; row < HEIGHT / 2; row++) {
            u.asSlice((long) row * cStride, WIDTH / 2).fill((byte) 128);
            v.asSlice((long) row * cStride, WIDTH / 2).fill((byte) 128);
        }
    }
}
