package io.vigil.kernels.picture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCV matchers on pictures made in memory (the clips over photographs are core's PictureMatchClipTest):
 * correlation's edge cases, the logo found at the small picture's scale through its alpha, a card found shrunk and
 * off centre, nothing found on texture, and each native picture freed once.
 */
class PictureMatchersTest {
    @TempDir
    Path dir;

    /** Smooth random texture, {@code w} x {@code h}: blobs of a few dozen samples, as a photograph's shading. */
    static byte[] texture(int w, int h, long seed) {
        Random r = new Random(seed);
        int cell = 24;
        int cw = w / cell + 2;
        int ch = h / cell + 2;
        double[] grid = new double[cw * ch];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = 30 + 190 * r.nextDouble();
        }
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double gx = (double) x / cell;
                double gy = (double) y / cell;
                int ix = (int) gx;
                int iy = (int) gy;
                double fx = gx - ix;
                double fy = gy - iy;
                double v = grid[iy * cw + ix] * (1 - fx) * (1 - fy) + grid[iy * cw + ix + 1] * fx * (1 - fy)
                        + grid[(iy + 1) * cw + ix] * (1 - fx) * fy + grid[(iy + 1) * cw + ix + 1] * fx * fy;
                out[y * w + x] = (byte) (int) Math.clamp(v + r.nextGaussian() * 6, 0, 255);
            }
        }
        return out;
    }

    /** A white ring and bar logo, 120x60, as ARGB with alpha its shape. */
    static BufferedImage logo() {
        BufferedImage img = new BufferedImage(120, 60, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 120; x++) {
                double d = Math.hypot(x - 30, y - 30);
                boolean ring = d > 18 && d < 27;
                boolean bar = x > 66 && x < 114 && (y > 8 && y < 20 || y > 40 && y < 52 || x > 84 && x < 96);
                if (ring || bar) {
                    img.setRGB(x, y, 0xFFFFFFFF);
                }
            }
        }
        return img;
    }

    /** {@code logo} keyed at {@code x}, {@code y} onto {@code picture} ({@code w} wide), {@code opacity} 0..1. */
    static void key(byte[] picture, int w, BufferedImage logo, int x0, int y0, double opacity) {
        for (int y = 0; y < logo.getHeight(); y++) {
            for (int x = 0; x < logo.getWidth(); x++) {
                double a = (logo.getRGB(x, y) >>> 24) / 255.0 * opacity;
                int i = (y0 + y) * w + x0 + x;
                picture[i] = (byte) (int) Math.round((picture[i] & 0xFF) * (1 - a) + 255 * a);
            }
        }
    }

    @Test
    void correlationFindsItsOwnPatchAndNothingInAFlatField() {
        byte[] samples = texture(160, 90, 1);
        try (GrayImage picture = GrayImage.of(samples, 160, 90); GrayImage patch = picture.cropped(40, 20, 50, 30);
             GrayImage flat = GrayImage.of(new byte[160 * 90], 160, 90)) {
            assertThat(picture.bestMatch(patch)).isCloseTo(1.0, offset(1e-4));
            assertThat(flat.bestMatch(patch)).isEqualTo(0.0);
            assertThat(patch.bestMatch(picture)).as("a template larger than the picture").isNaN();
        }
    }

    @Test
    void eachPictureIsFreedOnceAndNotUsedAfter() {
        GrayImage image = GrayImage.allocate(8, 8);
        image.close();
        image.close();
        assertThatThrownBy(image::pixels).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreadableReferencesAreNamed() throws Exception {
        Path text = Files.writeString(dir.resolve("logo.png"), "not a picture");
        assertThatThrownBy(() -> LogoMatcher.load(text, 0, LogoMatcher.Region.WHOLE_PICTURE))
                .hasMessageContaining("logo.png");
        assertThatThrownBy(() -> CardLibrary.load(List.of(dir.resolve("missing.png"))))
                .hasMessageContaining("missing.png");
        assertThatThrownBy(() -> new LogoMatcher.Region(0.8, 0, 0.3, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLogoIsFoundAtTheSmallPicturesScaleThroughItsAlpha() throws Exception {
        Path file = dir.resolve("logo.png");
        ImageIO.write(logo(), "png", file.toFile());
        int w = 1280;
        int h = 720;
        try (LogoMatcher matcher = LogoMatcher.load(file, 0, new LogoMatcher.Region(0.7, 0, 0.3, 0.3))) {
            for (long seed = 1; seed <= 5; seed++) {
                byte[] bare = texture(w, h, seed);
                byte[] keyed = bare.clone();
                key(keyed, w, logo(), 1100, 40, 0.7);
                try (GrayImage on = GrayImage.of(keyed, w, h); GrayImage off = GrayImage.of(bare, w, h);
                     GrayImage smallOn = on.resized(320, 180); GrayImage smallOff = off.resized(320, 180)) {
                    assertThat(matcher.score(smallOn, w, h)).as("seed %d, logo on", seed).isGreaterThan(0.7);
                    assertThat(matcher.score(smallOff, w, h)).as("seed %d, logo off", seed).isLessThan(0.5);
                }
            }
            assertThat(matcher.templateSize()).isEqualTo("28 x 15");
        }
    }

    @Test
    void aCardIsFoundShrunkAndOffCentreAndTextureMatchesNone() throws Exception {
        // A card: a dark field with a bright box and two bars of "text".
        int w = 640;
        int h = 360;
        BufferedImage card = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        var g = card.createGraphics();
        g.setColor(new java.awt.Color(40, 40, 40));
        g.fillRect(0, 0, w, h);
        g.setColor(java.awt.Color.WHITE);
        g.drawRect(60, 80, 520, 200);
        g.fillRect(120, 140, 400, 24);
        g.fillRect(200, 200, 240, 18);
        g.dispose();
        Path file = dir.resolve("no-signal.png");
        ImageIO.write(card, "png", file.toFile());
        byte[] cardSamples = ((java.awt.image.DataBufferByte) card.getRaster().getDataBuffer()).getData();
        try (CardLibrary library = CardLibrary.load(List.of(file));
             GrayImage full = GrayImage.of(cardSamples, w, h); GrayImage shrunk = full.resized(280, 158);
             GrayImage texture = GrayImage.of(texture(320, 180, 9), 320, 180)) {
            assertThat(library.names()).containsExactly("no-signal");
            // Shrunk to 87.5% and shown 8 samples right of centre on a grey field.
            byte[] shown = new byte[320 * 180];
            java.util.Arrays.fill(shown, (byte) 128);
            byte[] s = shrunk.samples();
            for (int y = 0; y < 158; y++) {
                System.arraycopy(s, y * 280, shown, (11 + y) * 320 + 28, 280);
            }
            try (GrayImage picture = GrayImage.of(shown, 320, 180)) {
                CardLibrary.Match match = library.best(picture);
                assertThat(match.card()).isZero();
                assertThat(match.score()).isGreaterThan(0.8);
            }
            assertThat(library.best(texture).score()).isLessThan(0.5);
        }
    }
}
