package io.vigil.engine.detect.spec;

/** A parameter of a detector, named from anywhere: {@code black.pixelThreshold}. */
public record ParamRef(String detector, String parameter) {
    public static ParamRef of(String detector, String parameter) {
        return new ParamRef(detector, parameter);
    }

    @Override
    public String toString() {
        return detector + "." + parameter;
    }
}
