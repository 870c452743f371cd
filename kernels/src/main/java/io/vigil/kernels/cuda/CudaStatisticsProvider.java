package io.vigil.kernels.cuda;

import io.vigil.ffi.Device;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.Loops;
import io.vigil.kernels.cpu.CStatisticsProvider;
import io.vigil.kernels.engine.EngineOptions;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.engine.StatisticsProvider;
import java.util.List;
import java.util.Optional;

/**
 * CUDA kernels on one NVIDIA GPU, fed by NVDEC: the fastest path where there is a driver and a GPU. Asks the driver
 * only through calls that fail with an exception, so a host without one gets a sentence, never a stack trace.
 */
public final class CudaStatisticsProvider implements StatisticsProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 30;
    }

    @Override
    public Device.Kind device() {
        return Device.Kind.CUDA;
    }

    @Override
    public Optional<String> unavailableReason(EngineOptions options) {
        try {
            Optional<CudaDriver> driver = CudaDriver.load();
            if (driver.isEmpty()) {
                return Optional.of("there is no NVIDIA driver on this host (" + CudaDriver.LIBRARY + " not found)");
            }
            driver.get().init();
            List<Device> gpus = driver.get().devices();
            if (gpus.isEmpty()) {
                return Optional.of("the NVIDIA driver reports no GPU");
            }
            int wanted = options.gpuDevice();
            if (wanted < 0 || wanted >= gpus.size()) {
                return Optional.of("there is no GPU " + wanted + " (this host has " + gpus.size() + ")");
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(setUpFailure(e));
        }
    }

    @Override
    public StatisticsEngine open(EngineOptions options) {
        try {
            CudaDriver driver = CudaDriver.load().orElseThrow();
            Device device = driver.devices().get(options.gpuDevice());
            // A stream NVDEC refuses is decoded on the CPU: its statistics take the fastest CPU loops here.
            Loops hostLoops = new CStatisticsProvider().unavailableReason(options).isEmpty() ? Loops.C : Loops.JAVA;
            return CudaStatisticsEngine.open(driver, device, options.maxBatch(), options.maxLatency(), hostLoops);
        } catch (RuntimeException e) {
            throw new IllegalStateException(setUpFailure(e), e);
        }
    }

    private static String setUpFailure(RuntimeException e) {
        return "the GPU could not be set up: " + e.getMessage();
    }
}
