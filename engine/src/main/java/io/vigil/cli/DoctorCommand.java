package io.vigil.cli;

import io.vigil.ffi.HostProbe;
import io.vigil.ffi.HostReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code vigil doctor}: what this host offers vigil, and which backend {@code analyze} will use. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show the JDK, the FFmpeg build and its hardware decoders, the CUDA driver and GPUs, and the backend analyze uses.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        HostReport report = HostProbe.probe();
        report.lines().forEach(System.out::println);
        System.out.println("Backend:  " + backendLine(report));
        return 0;
    }

    /** The backend analyze uses, and why, in one line. */
    static String backendLine(HostReport report) {
        if (report.cuda().usable()) {
            return "cpu, because this version computes statistics on the CPU only (the GPU backend comes next)";
        }
        return "cpu, because there is " + lowerFirst(report.cuda().reason());
    }

    private static String lowerFirst(String s) {
        String t = s.startsWith("no ") ? s : "a problem: " + s;
        return t.endsWith(".") ? t : t + ".";
    }
}
