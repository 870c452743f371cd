package io.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.pipeline.InputAddress;
import org.junit.jupiter.api.Test;

/** URL options: the safe set per protocol, each within its bounds; anything else refused in one sentence. */
class UrlOptionsTest {
    static String refusal(String url) {
        return UrlOptions.refusal(InputAddress.target(url));
    }

    @Test
    void acceptsTheSafeSetWithinItsBounds() {
        assertThat(refusal("udp://@239.0.0.1:1234?fifo_size=100000&overrun_nonfatal=1&buffer_size=8388608"
                + "&timeout=5000000&localaddr=10.0.0.5&sources=10.1.1.1,10.1.1.2&pkt_size=1316")).isNull();
        assertThat(refusal("srt://h:9000?mode=caller&latency=2000000&passphrase=0123456789abcdef&pbkeylen=16"
                + "&streamid=#!::r=live/a,m=request&transtype=live")).isNull();
        assertThat(refusal("tcp://0.0.0.0:9000?listen=1&listen_timeout=10000")).isNull();
        assertThat(refusal("rtp://239.0.0.2:5004?localrtcpport=5005&buffer_size=1048576")).isNull();
        // http, rtmp and rtsp send the query to the server: FFmpeg reads no options there.
        assertThat(refusal("https://cdn/x.m3u8?fifo_size=1&token=abc")).isNull();
    }

    @Test
    void refusesOptionsOutsideTheSetOrTheirBounds() {
        assertThat(refusal("udp://@:1234?fifo_size=11000000"))
                .isEqualTo("The udp option fifo_size=11000000 is outside its bounds, 0 to 131072 188-byte packets (24 MiB).");
        assertThat(refusal("udp://@:1234?bitrate=1000000")).startsWith(
                "The udp option bitrate is not one vigil passes to FFmpeg; allowed: buffer_size, fifo_size,");
        assertThat(refusal("udp://@:1234?buffer_size=1e9")).isEqualTo("The udp option buffer_size must be a whole number of bytes.");
        assertThat(refusal("udp://@:1234?timeout=1&timeout=2")).isEqualTo("The udp option timeout is given twice.");
        assertThat(refusal("udp://@:1234?localaddr=eth0")).isEqualTo("The udp option localaddr must be an IP address.");
        assertThat(refusal("srt://h:1?passphrase=short")).isEqualTo("The srt option passphrase must be 10 to 79 characters long.");
        assertThat(refusal("srt://h:1?mode=server")).isEqualTo("The srt option mode must be one of caller, listener, rendezvous.");
        assertThat(refusal("srt://h:1?latency=99000000")).contains("outside its bounds");
        assertThat(refusal("tcp://0.0.0.0:9000?listen=2")).contains("must be one of 0, 1");
        assertThat(refusal("rtp://h:5004?fec=prompeg")).contains("not one vigil passes to FFmpeg");
    }
}
