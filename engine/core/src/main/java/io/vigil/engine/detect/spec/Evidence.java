package io.vigil.engine.detect.spec;

/**
 * What picture, if any, a detector's alarm carries as evidence (a thumbnail with {@code --thumbnails}, the alarm's
 * picture in {@code serve}): the frames are kept by the pipeline, so detectors stay free of pixels.
 */
public sealed interface Evidence {
    /** No picture: an audio or stream alarm. */
    Evidence NONE = new None();
    /**
     * The frame on which the detector's condition began ({@link Detector#conditionSinceSeconds()}), held while the
     * condition holds; a detector that does not say gets the frame on which its alarm fires.
     */
    Evidence CONDITION_START = new ConditionStart();

    /** The first frame of a dark run, by the {@code LUMA} dark share reaching this detector's {@code parameter}. */
    static Evidence darkRun(String parameter) {
        return new DarkRun(parameter);
    }

    /**
     * The frame the {@code FRAME_DIFFERENCE} statistic compares against (the first still one), judged with this
     * detector's level {@code parameter}: the statistic holds that frame anyway, so it costs no memory.
     */
    static Evidence stillReference(String parameter) {
        return new StillReference(parameter);
    }

    /** The same picture as {@code detector}'s (signal_loss shows black's). */
    static Evidence sameAs(String detector) {
        return new SameAs(detector);
    }

    /** Whether the alarm carries a picture. */
    default boolean picture() {
        return !(this instanceof None);
    }

    record None() implements Evidence {
        @Override
        public String toString() {
            return "none";
        }
    }

    record ConditionStart() implements Evidence {
        @Override
        public String toString() {
            return "the frame where the condition began";
        }
    }

    record DarkRun(String parameter) implements Evidence {
        @Override
        public String toString() {
            return "the first dark frame (dark share at least " + parameter + ")";
        }
    }

    record StillReference(String parameter) implements Evidence {
        @Override
        public String toString() {
            return "the first still frame (frame difference within " + parameter + ")";
        }
    }

    record SameAs(String detector) implements Evidence {
        @Override
        public String toString() {
            return "the picture of " + detector;
        }
    }
}
