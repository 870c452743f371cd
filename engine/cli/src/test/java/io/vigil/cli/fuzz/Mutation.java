package io.vigil.cli.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What is done to a seed: nothing (the seed itself), zzuf's bit flips (when Debian's zzuf is installed), or a
 * structural change made here: a cut, flips in the header, a chunk duplicated, removed or swapped, a range zeroed,
 * garbage inserted; and for MPEG-TS, packets dropped and continuity counters broken. Each is deterministic for its
 * seed number.
 */
enum Mutation {
    NONE, ZZUF, TRUNCATE, HEADER_FLIPS, BYTE_FLIPS, DUPLICATE_CHUNK, REMOVE_CHUNK, SWAP_CHUNKS, ZERO_RANGE,
    INSERT_GARBAGE, TS_DROP_PACKETS, TS_BREAK_CONTINUITY;

    private static final int TS_PACKET = 188;
    private static final boolean ZZUF_INSTALLED = zzufInstalled();

    /**
     * A mutation for a seed of {@code container}: any that applies (zzuf only when installed), and for MPEG-TS one
     * of its own half the time (packets dropped, continuity broken: what a lossy network does to it).
     */
    static Mutation pick(String container, Random random) {
        boolean tsOwn = container.equals("ts") && random.nextBoolean();
        List<Mutation> choices = Arrays.stream(values()).filter(m -> m != NONE)
                .filter(m -> m != ZZUF || ZZUF_INSTALLED)
                .filter(m -> m.name().startsWith("TS_") == tsOwn)
                .toList();
        return choices.get(random.nextInt(choices.size()));
    }

    static boolean zzufAvailable() {
        return ZZUF_INSTALLED;
    }

    /** {@code seed} changed as this mutation does, driven by {@code random} (and, for zzuf, by {@code number}). */
    byte[] apply(byte[] seed, Random random, long number) {
        byte[] b = seed.clone();
        int n = b.length;
        if (n == 0 && this != INSERT_GARBAGE && this != NONE) {
            return b;
        }
        return switch (this) {
            case NONE -> b;
            case ZZUF -> zzuf(b, number, pick(random, 0.0005, 0.002, 0.01, 0.05));
            case TRUNCATE -> Arrays.copyOf(b, random.nextInt(n));
            case HEADER_FLIPS -> {
                int span = Math.min(n, 1024);
                for (int i = 1 + random.nextInt(8); i > 0; i--) {
                    b[random.nextInt(span)] ^= (byte) (1 << random.nextInt(8));
                }
                yield b;
            }
            case BYTE_FLIPS -> {
                for (int i = 1 + random.nextInt(Math.max(1, n / 500)); i > 0; i--) {
                    b[random.nextInt(n)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case DUPLICATE_CHUNK -> {
                int from = random.nextInt(n);
                int length = 1 + random.nextInt(Math.min(n - from, 16_384));
                int at = random.nextInt(n + 1);
                yield concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, from, from + length),
                        Arrays.copyOfRange(b, at, n));
            }
            case REMOVE_CHUNK -> {
                int from = random.nextInt(n);
                int length = 1 + random.nextInt(Math.min(n - from, 16_384));
                yield concat(Arrays.copyOfRange(b, 0, from), Arrays.copyOfRange(b, from + length, n));
            }
            case SWAP_CHUNKS -> {
                int length = 1 + random.nextInt(Math.max(1, Math.min(n / 2, 8192)));
                int first = random.nextInt(Math.max(1, n - 2 * length + 1));
                int second = first + length + random.nextInt(Math.max(1, n - first - 2 * length + 1));
                if (second + length > n) {
                    yield b;
                }
                byte[] keep = Arrays.copyOfRange(b, first, first + length);
                System.arraycopy(b, second, b, first, length);
                System.arraycopy(keep, 0, b, second, length);
                yield b;
            }
            case ZERO_RANGE -> {
                int from = random.nextInt(n);
                Arrays.fill(b, from, from + 1 + random.nextInt(Math.min(n - from, 4096)), (byte) 0);
                yield b;
            }
            case INSERT_GARBAGE -> {
                byte[] garbage = new byte[1 + random.nextInt(4096)];
                random.nextBytes(garbage);
                int at = random.nextInt(n + 1);
                yield concat(Arrays.copyOfRange(b, 0, at), garbage, Arrays.copyOfRange(b, at, n));
            }
            case TS_DROP_PACKETS -> {
                int packets = n / TS_PACKET;
                double rate = pick(random, 0.01, 0.05, 0.2);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n);
                for (int p = 0; p < packets; p++) {
                    if (random.nextDouble() >= rate) {
                        out.write(b, p * TS_PACKET, TS_PACKET);
                    }
                }
                yield out.toByteArray();
            }
            case TS_BREAK_CONTINUITY -> {
                double rate = pick(random, 0.01, 0.05, 0.2);
                for (int at = 0; at + 3 < n; at += TS_PACKET) {
                    if (b[at] == 0x47 && random.nextDouble() < rate) {
                        // The low nibble of the fourth byte is the continuity counter.
                        b[at + 3] = (byte) ((b[at + 3] & 0xF0) | random.nextInt(16));
                    }
                }
                yield b;
            }
        };
    }

    private static double pick(Random r, double... values) {
        return values[r.nextInt(values.length)];
    }

    private static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] zzuf(byte[] in, long seed, double ratio) {
        try {
            Process p = new ProcessBuilder("zzuf", "-s", Long.toString(seed & 0x7fff_ffffL), "-r",
                    Double.toString(ratio)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Thread feed = Thread.ofVirtual().start(() -> {
                try (var stdin = p.getOutputStream()) {
                    stdin.write(in);
                } catch (IOException e) {
                    // zzuf exited early: what it wrote is the result
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            feed.join();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("zzuf did not finish");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean zzufInstalled() {
        try {
            Process p = new ProcessBuilder("zzuf", "-V").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
