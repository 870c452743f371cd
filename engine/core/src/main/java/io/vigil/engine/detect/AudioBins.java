package io.vigil.engine.detect;

import io.vigil.kernels.AudioStats;
import java.util.Arrays;

/**
 * A detector's per-block audio figures summed into bins of about {@code binSeconds} of samples, the last few kept:
 * the sliding windows a detector decides on (a window is the newest bins that make up its length, so it slides by
 * one bin), and the finer grid on which it places where a defect began and ended. A bin holds whole blocks, so its
 * edges are block edges and its length is {@code binSeconds} to within half a block (one block when blocks are
 * longer). The bins start over when the audio jumps (a timestamp gap, another sample rate or channel count).
 * No allocation per block.
 */
final class AudioBins {
    private final double binSeconds;
    /** Complete bins kept. */
    private final int capacity;
    private final int fields;
    /** {@code capacity + 1} slots: the complete bins and the open one. */
    private final double[] values;
    private final double[] startSeconds;
    private final double[] endSeconds;
    private final long[] samples;
    /** Slot of the newest complete bin. */
    private int newest;
    private int complete;
    private boolean open;
    private int sampleRate;
    private int lastBlockSamples;
    private int channels = -1;

    /**
     * @param fields figures per bin
     * @param capacity complete bins kept: the longest window plus the bins a defect's start may be looked for in
     */
    AudioBins(double binSeconds, int fields, int capacity) {
        this.binSeconds = binSeconds;
        this.capacity = capacity;
        this.fields = fields;
        int slots = capacity + 1;
        values = new double[slots * fields];
        startSeconds = new double[slots];
        endSeconds = new double[slots];
        samples = new long[slots];
    }

    /**
     * Adds block {@code s} to the open bin (opening one if needed); the caller then adds its figures with
     * {@link #add}. Returns true when bins held so far were dropped because this block does not continue them.
     */
    boolean begin(AudioStats s) {
        boolean restarted = false;
        boolean held = complete > 0 || open;
        if (s.sampleRate != sampleRate || s.channels != channels
                || held && Math.abs(s.ptsSeconds - lastEnd()) > binSeconds) {
            restarted = held;
            clear();
            sampleRate = s.sampleRate;
            channels = s.channels;
        }
        int slot = openSlot();
        if (!open) {
            Arrays.fill(values, slot * fields, slot * fields + fields, 0);
            startSeconds[slot] = s.ptsSeconds;
            samples[slot] = 0;
            open = true;
        }
        endSeconds[slot] = s.endSeconds();
        samples[slot] += s.samples;
        lastBlockSamples = s.samples;
        return restarted;
    }

    void add(int field, double v) {
        values[openSlot() * fields + field] += v;
    }

    /** A figure of the open bin. */
    double openValue(int field) {
        return values[openSlot() * fields + field];
    }

    void setOpen(int field, double v) {
        values[openSlot() * fields + field] = v;
    }

    /**
     * Closes the open bin once it holds {@code binSeconds} of samples, or would overshoot that by more than it falls
     * short if it took another block like the last; returns whether it did.
     */
    boolean closeIfFull() {
        int slot = openSlot();
        if (!open || samples[slot] + lastBlockSamples / 2.0 < binSeconds * sampleRate) {
            return false;
        }
        newest = slot;
        complete = Math.min(complete + 1, capacity);
        open = false;
        return true;
    }

    /** Complete bins held (at most the capacity). */
    int complete() {
        return complete;
    }

    /** Figure {@code field} of the {@code age}-th newest complete bin (0: the newest). */
    double value(int age, int field) {
        return values[slot(age) * fields + field];
    }

    double startSeconds(int age) {
        return startSeconds[slot(age)];
    }

    double endSeconds(int age) {
        return endSeconds[slot(age)];
    }

    long samples(int age) {
        return samples[slot(age)];
    }

    /**
     * How many of the newest complete bins make a window of {@code seconds} (to within half a bin), or 0 when the
     * bins held do not reach that long yet.
     */
    int windowBins(double seconds) {
        double want = seconds * sampleRate;
        long total = 0;
        for (int age = 0; age < complete; age++) {
            total += samples(age);
            if (total + samples(age) / 2.0 >= want) {
                return age + 1;
            }
        }
        return 0;
    }

    /** Sum of {@code field} over the newest {@code bins} complete bins. */
    double sum(int field, int bins) {
        double total = 0;
        for (int age = 0; age < bins; age++) {
            total += value(age, field);
        }
        return total;
    }

    /** Samples in the newest {@code bins} complete bins. */
    long windowSamples(int bins) {
        long total = 0;
        for (int age = 0; age < bins; age++) {
            total += samples(age);
        }
        return total;
    }

    void clear() {
        complete = 0;
        open = false;
    }

    private int openSlot() {
        return (newest + 1) % (capacity + 1);
    }

    private int slot(int age) {
        if (age < 0 || age >= complete) {
            throw new IndexOutOfBoundsException("bin " + age + " of " + complete);
        }
        return Math.floorMod(newest - age, capacity + 1);
    }

    private double lastEnd() {
        return open ? endSeconds[openSlot()] : endSeconds[newest];
    }
}
