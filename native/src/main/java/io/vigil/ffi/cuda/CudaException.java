package io.vigil.ffi.cuda;

/**
 * A failed call into the NVIDIA driver API: names the call and carries the driver's own error name, code and
 * text, as in "cuDeviceGet failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected".
 */
public class CudaException extends RuntimeException {
    /** The code of a failure that did not come from the driver (a missing symbol, a call that could not be made). */
    public static final int NOT_A_CUDA_RESULT = -1;

    private final String call;
    private final int code;
    private final String errorName;

    /** A CUresult other than CUDA_SUCCESS returned by {@code call}. */
    public CudaException(String call, int code, String errorName, String errorString) {
        super(call + " failed: " + errorName + " (" + code + ")" + (errorString.isEmpty() ? "" : ": " + errorString));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** A failure around the driver rather than in it, such as a symbol the library does not export. */
    public CudaException(String call, String message, Throwable cause) {
        super(message, cause);
        this.call = call;
        this.code = NOT_A_CUDA_RESULT;
        this.errorName = "";
    }

    /** The driver function that failed, such as "cuInit". */
    public String call() {
        return call;
    }

    /** The CUresult, such as 100; {@link #NOT_A_CUDA_RESULT} when the driver returned none. */
    public int code() {
        return code;
    }

    /** The CUresult's name, such as "CUDA_ERROR_NO_DEVICE"; "" when the driver returned none. */
    public String errorName() {
        return errorName;
    }
}
