package io.vigil.server.delivery.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The bodies' corner cases, without a receiver. */
class WebhookBodyTest {
    static final byte[] FIRING = """
            {"type":"alarm","status":"firing","detector":"tr101290","stream":"mux1","check":"Continuity_count_error",\
            "priority":1,"pid":256,"dedupKey":"mux1/tr101290/Continuity_count_error/256","severity":"bogus",\
            "start":1.0,"wallStart":"2026-11-26T10:00:10.000Z","summary":"x","thumbnail":"ftp://h/a.jpg",\
            "clip":"/api/clips/1.ts","node":"n1","role":"video"}""".getBytes(StandardCharsets.UTF_8);

    static JsonNode json(byte[] body) throws Exception {
        return AlarmView.MAPPER.readTree(body);
    }

    @Test
    void alertmanagerTakesABaseUrlOrTheFullOne() {
        WebhookBody am = new WebhookBody(WebhookFormat.ALERTMANAGER, null, null, Duration.ZERO);
        assertThat(am.target(URI.create("http://am:9093"))).hasToString("http://am:9093/api/v2/alerts");
        assertThat(am.target(URI.create("http://am:9093/"))).hasToString("http://am:9093/api/v2/alerts");
        assertThat(am.target(URI.create("http://h/am/?x=1"))).hasToString("http://h/am/api/v2/alerts?x=1");
        assertThat(am.target(URI.create("http://h/am/api/v2/alerts"))).hasToString("http://h/am/api/v2/alerts");
        WebhookBody slack = new WebhookBody(WebhookFormat.SLACK, null, null, Duration.ZERO);
        assertThat(slack.target(URI.create("http://h/x"))).hasToString("http://h/x");
    }

    @Test
    void alertmanagerLabelsCarryEveryPartOfTheDedupKeyAndNoEndsAtWithoutResends() throws Exception {
        WebhookBody am = new WebhookBody(WebhookFormat.ALERTMANAGER, URI.create("https://v.example/base/"), null,
                Duration.ZERO);
        JsonNode alert = json(am.render(FIRING, Instant.now())).get(0);
        assertThat(alert.get("labels").toString()).isEqualTo("{\"alertname\":\"vigil_tr101290\",\"stream\":\"mux1\","
                + "\"detector\":\"tr101290\",\"severity\":\"error\",\"check\":\"Continuity_count_error\","
                + "\"pid\":\"256\",\"node\":\"n1\",\"role\":\"video\"}");
        assertThat(alert.has("endsAt")).isFalse();
        assertThat(alert.at("/annotations/clip").asText()).isEqualTo("https://v.example/base/api/clips/1.ts");
        assertThat(alert.at("/annotations").has("thumbnail")).isFalse(); // ftp: no link
        assertThat(alert.get("generatorURL").asText()).isEqualTo("https://v.example/base/#stream=mux1");
    }

    @Test
    void pagerDutyKeepsLongDedupKeysUniqueAndNeedsARoutingKey() throws Exception {
        String longKey = "s/" + "x".repeat(300);
        String other = "s/" + "x".repeat(299) + "y";
        assertThat(PagerDutyBody.dedupKey(longKey)).hasSize(255).isNotEqualTo(PagerDutyBody.dedupKey(other));
        assertThat(PagerDutyBody.dedupKey("s/black")).isEqualTo("s/black");
        assertThatThrownBy(() -> new WebhookBody(WebhookFormat.PAGERDUTY, null, " ", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        JsonNode event = json(new WebhookBody(WebhookFormat.PAGERDUTY, null, "k".repeat(32), Duration.ZERO)
                .render(FIRING, Instant.now()));
        assertThat(event.at("/payload/severity").asText()).isEqualTo("error"); // not on PagerDuty's scale
        assertThat(event.at("/payload/class").asText()).isEqualTo("tr101290 Continuity_count_error PID 256");
        assertThat(event.at("/payload/group").asText()).isEqualTo("video");
        assertThat(event.has("links")).isFalse(); // an API path without publicUrl links nowhere
    }

    @Test
    void slackEscapesTextAndLinksOnlyRealUrls() throws Exception {
        byte[] tricky = """
                {"type":"alarm","status":"firing","detector":"black","stream":"a","dedupKey":"a/black",\
                "severity":"info","start":1.0,"summary":"<b>&","thumbnail":"https://h/a|b>c.jpg"}\
                """.getBytes(StandardCharsets.UTF_8);
        String text = json(new WebhookBody(WebhookFormat.SLACK, null, null, Duration.ZERO)
                .render(tricky, Instant.now())).get("text").asText();
        // a URL with characters that would end Slack's link syntax is no URL: not linked
        assertThat(text).isEqualTo(":large_blue_circle: *INFO* `a` black: &lt;b&gt;&amp;");
    }

    @Test
    void vigilSendsTheContractObjectUntouched() {
        assertThat(new WebhookBody(WebhookFormat.VIGIL, null, null, Duration.ZERO).render(FIRING, Instant.now()))
                .isSameAs(FIRING);
    }
}
