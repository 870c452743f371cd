package io.vigil.engine.detect.spec;

/**
 * The service through which {@link DetectorRegistry} finds detectors ({@link java.util.ServiceLoader}): each
 * detector class declares its spec in a nested provider annotated {@code @AutoService(DetectorProvider.class)}, and
 * the annotation processor lists it in {@code META-INF/services}, so that a new detector is one new class and no list
 * to edit:
 * <pre>
 * &#64;AutoService(DetectorProvider.class)
 * public static final class Spec extends DetectorProvider {
 *     public Spec() {
 *         super(DetectorSpec.builder(NAME, 95)
 *                 .describe("left and right the same (dual mono)", "channels 0 and 1 carry the same signal ...")
 *                 .alarm(Severity.WARNING, 2.0, 0.0)
 *                 .parameter(ParamSpec.number("tolerance", 0.001, 0, 1, "", "how far below 1 ..."))
 *                 .reads(Statistic.AUDIO_LEVELS)
 *                 .factory(c -&gt; new MonoDetector(c.settings(), c.tracker()))
 *                 .build());
 *     }
 * }
 * </pre>
 */
public abstract class DetectorProvider {
    private final DetectorSpec spec;

    protected DetectorProvider(DetectorSpec spec) {
        this.spec = spec;
    }

    public final DetectorSpec spec() {
        return spec;
    }
}
