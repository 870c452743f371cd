package io.vigil.engine.detect.spec;

/**
 * The service through which {@link DetectorRegistry} finds detectors ({@link java.util.ServiceLoader}): each
 * detector class holds a small provider of its spec annotated {@code @AutoService(DetectorProvider.class)}, and the
 * annotation processor lists it in {@code META-INF/services}, so that a new detector is one new class and no list to
 * edit:
 * <pre>
 * &#64;AutoService(DetectorProvider.class)
 * public static final class Provider extends DetectorProvider {
 *     public Provider() {
 *         super(SPEC);
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
