package io.vigil.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A module loaded with cuModuleLoadData, owned: {@link #close} unloads it (and with it its functions). */
public final class CudaModule extends DriverHandle {
    CudaModule(CudaContext context, MemorySegment handle) {
        super(context, handle);
    }

    /** The kernel called {@code name} (cuModuleGetFunction), valid while the module is loaded. */
    public MemorySegment function(String name) {
        MemorySegment module = handle();
        try (CudaContext.Current current = context.makeCurrent()) {
            return context.driver().moduleGetFunction(module, name);
        }
    }

    @Override
    void free(CudaDriver driver) {
        driver.moduleUnload(raw);
    }
}
