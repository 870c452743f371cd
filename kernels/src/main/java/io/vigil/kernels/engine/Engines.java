package io.vigil.kernels.engine;

import io.vigil.ffi.Device;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the statistics providers on the class path and picks one for {@code --backend}: the one selection function
 * that analyze, serve, doctor and the benchmarks use. Never throws for {@code auto}, explains itself for the rest.
 */
public final class Engines {
    private Engines() {
    }

    /**
     * The engine chosen and, when it is not the best this host could have had, why.
     *
     * @param reason why a higher-ranked provider did not run (for {@code cpu}: that the CPU was asked for); null
     *               when the best provider runs
     */
    public record Selection(StatisticsEngine engine, String reason) {
    }

    /** {@code --backend gpu} on a host that cannot do it. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /** What one provider says about this host, for {@code vigil doctor}. */
    public record ProviderStatus(String name, int rank, Device.Kind device, Optional<String> unavailableReason) {
        public boolean available() {
            return unavailableReason.isEmpty();
        }
    }

    /** Every provider on the class path, highest rank first. */
    public static List<StatisticsProvider> providers() {
        List<StatisticsProvider> found = new ArrayList<>();
        ServiceLoader.load(StatisticsProvider.class, Engines.class.getClassLoader()).forEach(found::add);
        found.sort(Comparator.comparingInt(StatisticsProvider::rank).reversed());
        return List.copyOf(found);
    }

    /** Whether each provider can run here with {@code options}, and why not; highest rank first. Never throws. */
    public static List<ProviderStatus> survey(EngineOptions options) {
        return providers().stream()
                .map(p -> new ProviderStatus(p.name(), p.rank(), p.device(), unavailableReason(p, options)))
                .toList();
    }

    /**
     * Opens the highest-ranked provider that can run here among those {@code options.choice()} allows: any for
     * {@code auto}, CPU ones for {@code cpu}, the others (CUDA) for {@code gpu}.
     *
     * @throws UnavailableException when the choice is {@code gpu} and no GPU provider can run here
     */
    public static Selection select(EngineOptions options) {
        BackendChoice choice = options.choice();
        String passedOver = null;
        for (StatisticsProvider provider : providers()) {
            if (!allows(choice, provider.device())) {
                continue;
            }
            Optional<String> why = unavailableReason(provider, options);
            if (why.isEmpty()) {
                try {
                    StatisticsEngine engine = provider.open(options);
                    return new Selection(engine,
                            choice == BackendChoice.CPU ? "the CPU backend was asked for" : passedOver);
                } catch (RuntimeException e) {
                    why = Optional.of(e.getMessage());
                }
            }
            if (passedOver == null) {
                passedOver = why.get();
            }
        }
        if (choice == BackendChoice.GPU) {
            throw new UnavailableException("--backend gpu: "
                    + (passedOver != null ? passedOver : "this build has no GPU statistics provider"));
        }
        throw new IllegalStateException("no statistics provider can run here"
                + (passedOver != null ? ": " + passedOver : " (none is on the class path)"));
    }

    /** {@code gpu} takes any accelerator, so that a provider for another kind of device needs no change here. */
    private static boolean allows(BackendChoice choice, Device.Kind device) {
        return switch (choice) {
            case AUTO -> true;
            case CPU -> device == Device.Kind.CPU;
            case GPU -> device != Device.Kind.CPU;
        };
    }

    /** The provider's answer; a provider that breaks its promise not to throw is reported, not propagated. */
    private static Optional<String> unavailableReason(StatisticsProvider provider, EngineOptions options) {
        try {
            return provider.unavailableReason(options);
        } catch (RuntimeException | LinkageError e) {
            return Optional.of(provider.name() + " could not check this host: " + e);
        }
    }
}
