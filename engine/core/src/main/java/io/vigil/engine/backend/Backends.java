package io.vigil.engine.backend;

import io.vigil.ffi.CudaDriver;
import io.vigil.ffi.Device;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Picks the statistics backend for {@code --backend}: never throws for {@code auto}, explains itself for the rest. */
public final class Backends {
    private Backends() {
    }

    /** The backend chosen and, when it is the CPU although a GPU could have been, why. */
    public record Selection(StatisticsBackend backend, String reason) {
    }

    /** {@code --backend gpu} on a host that cannot do it. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * @param gpuDevice the CUDA device ordinal to use
     * @throws UnavailableException when {@code choice} is GPU and no usable GPU is here
     */
    public static Selection select(BackendChoice choice, int gpuDevice, int maxBatch, Duration maxLatency) {
        if (choice == BackendChoice.CPU) {
            return new Selection(CpuBackend.INSTANCE, "the CPU backend was asked for");
        }
        String why;
        try {
            why = tryGpu(gpuDevice, maxBatch, maxLatency);
            if (why == null) {
                return new Selection(openGpu(gpuDevice, maxBatch, maxLatency), null);
            }
        } catch (RuntimeException e) {
            why = "the GPU could not be set up: " + e.getMessage();
        }
        if (choice == BackendChoice.GPU) {
            throw new UnavailableException("--backend gpu: " + why);
        }
        return new Selection(CpuBackend.INSTANCE, why);
    }

    /** Null when the GPU path can run, else why not. */
    private static String tryGpu(int gpuDevice, int maxBatch, Duration maxLatency) {
        Optional<CudaDriver> driver = CudaDriver.load();
        if (driver.isEmpty()) {
            return "there is no NVIDIA driver on this host (libcuda.so.1 not found)";
        }
        driver.get().init();
        List<Device> gpus = driver.get().devices();
        if (gpus.isEmpty()) {
            return "the NVIDIA driver reports no GPU";
        }
        if (gpuDevice < 0 || gpuDevice >= gpus.size()) {
            return "there is no GPU " + gpuDevice + " (this host has " + gpus.size() + ")";
        }
        return null;
    }

    private static GpuBackend openGpu(int gpuDevice, int maxBatch, Duration maxLatency) {
        CudaDriver driver = CudaDriver.load().orElseThrow();
        Device device = driver.devices().get(gpuDevice);
        return GpuBackend.open(driver, device, maxBatch, maxLatency);
    }
}
