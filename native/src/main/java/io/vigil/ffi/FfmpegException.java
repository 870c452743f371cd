package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avutil.AV_ERROR_MAX_STRING_SIZE;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

/** A failed FFmpeg call: names the call and carries FFmpeg's own error string and code. */
public class FfmpegException extends RuntimeException {
    private final int code;

    public FfmpegException(String call, int code) {
        super(call + " failed: " + errorString(code) + " (" + code + ")");
        this.code = code;
    }

    /** The AVERROR code FFmpeg returned. */
    public int code() {
        return code;
    }

    /** Returns {@code ret} when it is not an error, else throws naming {@code call}. */
    public static int check(int ret, String call) {
        if (ret < 0) {
            throw new FfmpegException(call, ret);
        }
        return ret;
    }

    /** FFmpeg's text for an AVERROR code, such as "Connection refused" or "Invalid data found when processing input". */
    public static String errorString(int code) {
        byte[] buf = new byte[AV_ERROR_MAX_STRING_SIZE];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "error " + code;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
