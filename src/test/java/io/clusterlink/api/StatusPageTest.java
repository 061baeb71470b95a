package io.clusterlink.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

import io.clusterlink.link.LinkError;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.service.LagHistory;
import io.clusterlink.service.StatusQueries;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.ValueResolvers;
import io.quarkus.qute.Variant;

/**
 * The status page's template, rendered by a plain Qute engine with the HTML escaping Quarkus applies
 * to {@code .html} templates, and its lag plot: what users typed (names, messages) shows as text,
 * never as markup, and the figures are the sampled ones.
 */
class StatusPageTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final String LINK_MESSAGE = "<script>alert('link')</script> & \"more\"";
    private static final String TASK_MESSAGE = "<img src=x onerror=alert(1)>";
    private static final String MIRROR_MESSAGE = "Skipped 3 records</td></tr></table><b>bold</b>";
    private static final String CLUSTER_NAME = "\"><svg onload=alert(1)>";

    @Test
    void textFromUsersIsEscapedAndShownVerbatim() throws IOException {
        String html = render(view(List.of(link(List.of(pausedMirror())))));
        Document page = Jsoup.parse(html);

        assertThat(html).doesNotContain("<script", "<img", "<svg onload", "<b>bold");
        assertThat(html).contains("&lt;script&gt;alert(");
        assertThat(page.select("script, img, b, [onload], [onerror]")).isEmpty();
        assertThat(page.select("svg")).hasSize(1).allMatch(svg -> svg.hasClass("lag-plot"));
        assertThat(page.selectFirst(".link-error").text()).isEqualTo("TIMEOUT_ERROR: " + LINK_MESSAGE);
        assertThat(page.selectFirst("[data-task=AclSync] .task-error").text())
                .isEqualTo("AUTHORIZATION_ERROR: " + TASK_MESSAGE);
        assertThat(page.selectFirst("[data-task=AclSync] .task-state").text()).isEqualTo("IN_ERROR");
        assertThat(page.selectFirst(".mirror-message").text()).isEqualTo(MIRROR_MESSAGE);
        assertThat(page.selectFirst("section.cluster h2").text()).contains(CLUSTER_NAME);
    }

    @Test
    void theMirrorShowsItsStateAndTheExactLagOfEachPartition() throws IOException {
        Document page = Jsoup.parse(render(view(List.of(link(List.of(pausedMirror()))))));

        Element mirror = page.selectFirst("article.link[data-link=dc2] section.mirror[data-mirror=orders]");
        assertThat(mirror.selectFirst(".mirror-state").text()).isEqualTo("PAUSED");
        assertThat(mirror.selectFirst("tr[data-partition=0] .records-lag").text()).isEqualTo("50");
        assertThat(mirror.selectFirst("tr[data-partition=0] .time-lag").text()).isEqualTo("59.9 s");
        assertThat(mirror.selectFirst("tr[data-partition=0] .time-lag").attr("data-ms")).isEqualTo("59950");
        assertThat(mirror.selectFirst("tr[data-partition=0] .source-end").text()).isEqualTo("150");
        assertThat(mirror.selectFirst("tr[data-partition=1] .records-lag").text()).isEqualTo("0");
        assertThat(mirror.selectFirst("tr[data-partition=1] .time-lag").text()).isEqualTo("0 ms");
        assertThat(mirror.selectFirst("tr[data-partition=2] .records-lag").text()).isEqualTo("unknown");
        assertThat(mirror.selectFirst("tfoot .records-lag").text()).isEqualTo("unknown");
        assertThat(mirror.text()).contains("lags sampled 4 s ago");
        Element plot = mirror.selectFirst("svg.lag-plot");
        assertThat(plot.attr("data-points")).isEqualTo("4");
        assertThat(plot.attr("data-max")).isEqualTo("50");
        assertThat(mirror.selectFirst("figcaption").text())
                .isEqualTo("Records lag over the last 30 s, highest 50 (4 samples)");
        assertThat(page.selectFirst("meta[http-equiv=refresh]").attr("content")).isEqualTo("10");
    }

    @Test
    void aMirrorNotSampledYetShowsNoFigures() throws IOException {
        StatusQueries.MirrorEntry fresh = new StatusQueries.MirrorEntry(8, "fresh", "fresh",
                MirrorStatus.PENDING_MIRROR, null, null, NOW, null, List.of());

        Document page = Jsoup.parse(render(view(List.of(link(List.of(fresh))))));

        Element mirror = page.selectFirst("section.mirror[data-mirror=fresh]");
        assertThat(mirror.select("tbody tr")).isEmpty();
        assertThat(mirror.selectFirst(".mirror-records-lag").text()).isEqualTo("unknown");
        assertThat(mirror.text()).contains("lags not sampled yet");
        assertThat(mirror.selectFirst("svg.lag-plot").attr("data-points")).isEqualTo("0");
    }

    @Test
    void withoutLinksThePageSaysSo() throws IOException {
        Document page = Jsoup.parse(render(view(List.of())));

        assertThat(page.select("section.cluster")).isEmpty();
        assertThat(page.selectFirst("p.note").text()).isEqualTo("No cluster links yet.");
    }

    @Test
    void aLinkAskedForByNameIsShownAlone() throws IOException {
        StatusQueries.LinkEntry dc2 = link(List.of(pausedMirror()));
        StatusQueries.LinkEntry other = new StatusQueries.LinkEntry("other", "source-id", LinkState.ACTIVE, null,
                null, List.of(), List.of());
        StatusQueries.View view = view(List.of(other, dc2));

        Document page = Jsoup.parse(render(view, "dc2"));
        assertThat(page.select("article.link")).extracting(e -> e.attr("data-link")).containsExactly("dc2");
        assertThat(page.selectFirst("p.filter").text()).isEqualTo("Link dc2 only; all links.");
        assertThat(Jsoup.parse(render(view)).select("article.link")).hasSize(2);

        Document none = Jsoup.parse(render(view, "nope"));
        assertThat(none.select("article.link")).isEmpty();
        assertThat(none.select("p.note").last().text()).isEqualTo("No link of that name.");
    }

    @Test
    void thePlotDrawsTheLagOverTheWindowScaledToItsHighest() {
        String svg = LagPlot.svg(List.of(point(-10, 99), point(0, 0), point(50, 10), point(100, 5)), 0, 100);

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lag-plot\" width=\"300\" "
                + "height=\"60\"");
        assertThat(svg).contains("data-max=\"10\" data-points=\"3\"");
        assertThat(svg).contains("<path class=\"lag\" d=\"M3.0,57.0 L150.0,3.0 L297.0,30.0\"/>");
        assertThat(svg).contains("<circle class=\"last\" cx=\"297.0\" cy=\"30.0\" r=\"2\"/>");
        assertThat(svg).doesNotContain("class=\"unknown\"");
    }

    @Test
    void anUnknownLagBreaksTheLineAndIsMarkedNeverDrawnAsZero() {
        String svg = LagPlot.svg(List.of(point(0, 4), point(25, 2), point(50, -1), point(100, 2)), 0, 100);

        assertThat(svg).contains("<line class=\"unknown\" x1=\"150.0\" y1=\"0\" x2=\"150.0\" y2=\"60\"/>");
        assertThat(svg).contains("d=\"M3.0,3.0 L76.5,30.0 M297.0,30.0\"");
        assertThat(svg).contains("data-max=\"4\"");
    }

    @Test
    void aPlotWithoutSamplesHasOnlyItsAxis() {
        String svg = LagPlot.svg(List.of(), 0, 100);

        assertThat(svg).contains("data-points=\"0\"").doesNotContain("<path", "<circle");
        assertThat(svg).endsWith("<line class=\"axis\" x1=\"0\" y1=\"57.0\" x2=\"300\" y2=\"57.0\"/></svg>");
    }

    @Test
    void durationsReadAsPeopleSayThem() {
        assertThat(StatusPageModel.duration(-1)).isEqualTo("unknown");
        assertThat(StatusPageModel.duration(0)).isEqualTo("0 ms");
        assertThat(StatusPageModel.duration(999)).isEqualTo("999 ms");
        assertThat(StatusPageModel.duration(1000)).isEqualTo("1 s");
        assertThat(StatusPageModel.duration(59_950)).isEqualTo("59.9 s");
        assertThat(StatusPageModel.duration(61_000)).isEqualTo("1 min 1 s");
        assertThat(StatusPageModel.duration(120_000)).isEqualTo("2 min");
        assertThat(StatusPageModel.duration(3_600_000)).isEqualTo("1 h");
        assertThat(StatusPageModel.duration(5_400_000)).isEqualTo("1 h 30 min");
    }

    private static LagHistory.Point point(long atMs, long lag) {
        return new LagHistory.Point(atMs, lag, lag < 0 ? -1 : lag * 100);
    }

    private static StatusQueries.MirrorEntry pausedMirror() {
        LagHistory.Sample latest = new LagHistory.Sample(NOW - 4_000, List.of(
                new LagHistory.PartitionSample(0, 50, 59_950, 150),
                new LagHistory.PartitionSample(1, 0, 0, 100),
                new LagHistory.PartitionSample(2, -1, -1, -1)));
        List<LagHistory.Point> history = List.of(new LagHistory.Point(NOW - 30_000, 0, 0),
                new LagHistory.Point(NOW - 20_000, 20, 1_000), new LagHistory.Point(NOW - 10_000, -1, -1),
                new LagHistory.Point(NOW - 4_000, 50, 59_950));
        return new StatusQueries.MirrorEntry(7, "orders", "orders", MirrorStatus.PAUSED, MirrorTopicError.NO_ERROR,
                MIRROR_MESSAGE, NOW - 60_000, latest, history);
    }

    private static StatusQueries.LinkEntry link(List<StatusQueries.MirrorEntry> mirrors) {
        List<LinkView.LinkTask> tasks = List.of(
                new LinkView.LinkTask("ConsumerOffsetSync", "NOT_CONFIGURED", List.of()),
                new LinkView.LinkTask("AclSync", "IN_ERROR",
                        List.of(new LinkView.TaskError("AUTHORIZATION_ERROR", TASK_MESSAGE))));
        return new StatusQueries.LinkEntry("dc2", "source-id", LinkState.UNAVAILABLE, LinkError.TIMEOUT_ERROR,
                LINK_MESSAGE, tasks, mirrors);
    }

    private static StatusQueries.View view(List<StatusQueries.LinkEntry> links) {
        List<StatusQueries.ClusterEntry> clusters = links.isEmpty() ? List.of()
                : List.of(new StatusQueries.ClusterEntry("destination-id", CLUSTER_NAME, links));
        return new StatusQueries.View("instance-1", NOW, Duration.ofSeconds(10), Duration.ofMinutes(30), clusters);
    }

    /** Renders the page's template as Quarkus does: an HTML template, its expressions escaped. */
    private static String render(StatusQueries.View view) throws IOException {
        return render(view, null);
    }

    private static String render(StatusQueries.View view, String onlyLink) throws IOException {
        String template;
        try (InputStream in = StatusPageTest.class.getResourceAsStream("/templates/StatusPage/page.html")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // Quarkus also resolves {x.raw} (unescaped): a template that used it on user text must fail here.
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addValueResolver(ValueResolvers.rawResolver())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).build();
        return engine.parse(template, Variant.forContentType(Variant.TEXT_HTML), "StatusPage/page.html")
                .data("page", StatusPageModel.of(view, onlyLink)).render();
    }
}
