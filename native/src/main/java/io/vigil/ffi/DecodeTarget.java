package io.vigil.ffi;

/**
 * Where decoded video frames are to land: in host memory (FFmpeg's software decoders), or in the memory of one CUDA
 * device (NVDEC, frames that never leave the GPU). A value, so that a statistics engine can say which it reads and
 * the decoder can follow without either knowing the other.
 */
public sealed interface DecodeTarget {
    /** Host memory: every frame is decoded on the CPU. */
    DecodeTarget HOST = new Host();

    /** The CUDA device with ordinal {@code device}: NVDEC decodes into its memory where it can. */
    static DecodeTarget cuda(int device) {
        return new Cuda(device);
    }

    /** Decoding on the CPU into host memory. */
    record Host() implements DecodeTarget {
    }

    /** @param device the CUDA device ordinal whose NVDEC decodes, 0 or more */
    record Cuda(int device) implements DecodeTarget {
        public Cuda {
            if (device < 0) {
                throw new IllegalArgumentException("CUDA device ordinal must be >= 0, got " + device);
            }
        }
    }
}
