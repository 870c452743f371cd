package io.vigil.kernels;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * What every statistic's contract test shares: one backend for the instance (opened by {@code opener}, which the
 * subclass or {@link StatisticsEmulatedGpuTest} gives), a fresh random seed for each test, printed in every
 * assertion message (-Dvigil.seed=N replays one), and an arena for the test's planes. JUnit drives the lifecycle of
 * the subclasses; the emulated-GPU suite calls the same methods for each of its cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContractSupport {
    private final Supplier<StatisticsBackend> opener;
    protected StatisticsBackend backend;
    protected long seed;
    protected Random random;
    protected Arena arena;

    /** @param opener opens the backend under test, once per instance */
    protected ContractSupport(Supplier<StatisticsBackend> opener) {
        this.opener = opener;
    }

    @BeforeAll
    void open() {
        if (backend == null) {
            backend = opener.get();
        }
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    void seed(TestInfo test) {
        seed(test.getDisplayName());
    }

    /** A fresh seed, random source and arena for the test called {@code name}. */
    void seed(String name) {
        seed = Long.getLong("vigil.seed", System.nanoTime());
        random = new Random(seed);
        arena = Arena.ofConfined();
        System.out.println(getClass().getSimpleName() + " " + name + ": seed " + seed);
    }

    @AfterEach
    void free() {
        arena.close();
    }

    /** "gpu, seed 123, NV12 17x5 ...": where an assertion message starts. */
    protected String where(Object what) {
        return backend.name() + ", seed " + seed + " (-Dvigil.seed=" + seed + "), " + what;
    }

    protected HostPlanes planes(HostPlanes.Format format, int width, int height, HostPlanes.Fill fill) {
        return HostPlanes.random(arena, format, width, height, fill, random);
    }

    /** A size from 1x1 to a few hundred wide, odd as often as even. */
    protected int randomWidth() {
        return switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(4);
            case 1 -> 1 + random.nextInt(64);
            default -> 1 + random.nextInt(700);
        };
    }

    protected int randomHeight() {
        return 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
    }
}
