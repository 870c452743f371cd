package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UrlPartsTest {
    @Test
    void splitsTheHostAsFfmpegDoes() {
        assertThat(UrlParts.split("http://user:pw@cam.example.com:8080/a/b?x=1")).isEqualTo(
                new UrlParts("http", "user:pw", "cam.example.com", 8080, "x=1"));
        assertThat(UrlParts.split("http://[::1]:80/x").host()).isEqualTo("::1");
        assertThat(UrlParts.split("udp://@239.0.0.1:1234").host()).isEqualTo("239.0.0.1");
        assertThat(UrlParts.split("udp://@:1234")).isEqualTo(new UrlParts("udp", "", "", 1234, ""));
        assertThat(UrlParts.split("http://2130706433/").host()).isEqualTo("2130706433");
        // The last '@' of the authority ends the user info, as av_url_split reads it.
        assertThat(UrlParts.split("http://a@evil.com@127.0.0.1/").host()).isEqualTo("127.0.0.1");
        // An '@' in the path is no user info.
        assertThat(UrlParts.split("http://host/p@x").host()).isEqualTo("host");
        // '?' and '#' end the authority.
        assertThat(UrlParts.split("http://127.0.0.1?@evil.com/").host()).isEqualTo("127.0.0.1");
        assertThat(UrlParts.split("http://127.0.0.1#@evil.com/").host()).isEqualTo("127.0.0.1");
        // One slash or none: FFmpeg skips at most two.
        assertThat(UrlParts.split("http:/127.0.0.1/x").host()).isEqualTo("127.0.0.1");
        assertThat(UrlParts.split("/srv/media/a.ts").host()).isEmpty();
    }

    @Test
    void unwrapsNestedProtocols() {
        assertThat(UrlParts.split("crypto+http://10.0.0.1/seg.ts")).extracting(UrlParts::scheme, UrlParts::host)
                .containsExactly("http", "10.0.0.1");
        assertThat(UrlParts.split("crypto:https://127.0.0.1/seg.ts")).extracting(UrlParts::scheme, UrlParts::host)
                .containsExactly("https", "127.0.0.1");
    }

    @Test
    void readsOptionsAsAvFindInfoTagDoes() {
        UrlParts p = UrlParts.split("udp://@:1234?fifo_size=100&overrun_nonfatal=1&&buffer_size&localaddr=a+b");
        assertThat(p.options()).containsExactly(new UrlParts.Option("fifo_size", "100"),
                new UrlParts.Option("overrun_nonfatal", "1"), new UrlParts.Option("buffer_size", ""),
                new UrlParts.Option("localaddr", "a b"));
    }

    @Test
    void knowsWhichUrlsWaitForTheSender() {
        assertThat(UrlParts.split("udp://@:1234").listens()).isTrue();
        assertThat(UrlParts.split("srt://:9000?mode=listener").listens()).isTrue();
        assertThat(UrlParts.split("srt://host:9000?mode=caller").listens()).isFalse();
        assertThat(UrlParts.split("tcp://0.0.0.0:9000?listen=1").listens()).isTrue();
        assertThat(UrlParts.split("tcp://host:9000?listen=0").listens()).isFalse();
        assertThat(UrlParts.split("http://host/").listens()).isFalse();
    }

    @Test
    void masksCredentialsAndSecretQueryParameters() {
        assertThat(UrlParts.mask("rtsp://admin:hunter2@cam/live")).isEqualTo("rtsp://***@cam/live");
        assertThat(UrlParts.mask("https://cdn/x.m3u8?token=abc&quality=hd&Signature=zz&X-Amz-Credential=k"))
                .isEqualTo("https://cdn/x.m3u8?token=***&quality=hd&Signature=***&X-Amz-Credential=***");
        assertThat(UrlParts.mask("srt://h:9000?mode=caller&passphrase=0123456789ab&latency=200000"))
                .isEqualTo("srt://h:9000?mode=caller&passphrase=***&latency=200000");
        // What FFmpeg reads as the value runs to the next '&', '#' included.
        assertThat(UrlParts.mask("srt://h:1?passphrase=abc#def&x=1")).isEqualTo("srt://h:1?passphrase=***&x=1");
        // A percent-encoded name is still a secret's name.
        assertThat(UrlParts.mask("http://h/?%74oken=s")).isEqualTo("http://h/?%74oken=***");
        assertThat(UrlParts.mask("/srv/a?token=x.ts")).isEqualTo("/srv/a?token=x.ts");
        assertThat(UrlParts.mask("udp://239.0.0.1:1234")).isEqualTo("udp://239.0.0.1:1234");
        for (String url : List.of("http://u:p@h/?key=1", "rtmp://h/app?auth=1", "http://h/?sig=1&pwd=2")) {
            assertThat(UrlParts.mask(url)).doesNotContain("=1").doesNotContain("=2").doesNotContain("u:p");
        }
    }

    @Test
    void aMalformedFileUrlIsOneSentenceNotAStackTrace() {
        for (String bad : List.of("file:///srv/a b.ts", "file:///srv/%zz.ts", "file://")) {
            assertThatThrownBy(() -> InputLocation.parse(bad))
                    .isInstanceOf(MediaException.class).hasMessageContaining("is not a valid file URL");
        }
        assertThatThrownBy(() -> InputLocation.parse("/srv/a\0b.ts"))
                .isInstanceOf(MediaException.class).hasMessageContaining("is not a valid file path");
        assertThatThrownBy(() -> InputLocation.parse("gopher://u:pw@h/?token=t"))
                .isInstanceOf(MediaException.class).hasMessageContaining("gopher://***@h/?token=***")
                .hasMessageNotContaining("pw");
    }
}
