package io.clusterlink.api;

import java.util.List;
import java.util.Locale;

import io.clusterlink.service.LagHistory;

/**
 * A mirror's records lag over time as a small inline SVG for the status page: no script, nothing
 * fetched. Built of numbers only, never of names or messages, so nothing in it needs escaping.
 * Time runs left to right over the window; the highest lag in the window is the top. A sample
 * whose lag was not known (a cluster did not answer) is a red line across the plot and breaks the
 * lag line: an unknown lag is never drawn as 0.
 */
final class LagPlot {

    static final int WIDTH = 300;
    static final int HEIGHT = 60;
    private static final double PAD = 3;

    private LagPlot() {
    }

    /** The plot of the points between {@code fromMs} and {@code toMs} (older points are left out). */
    static String svg(List<LagHistory.Point> points, long fromMs, long toMs) {
        long span = Math.max(1, toMs - fromMs);
        long max = 0;
        int shown = 0;
        for (LagHistory.Point p : points) {
            if (p.atMs() >= fromMs && p.atMs() <= toMs) {
                shown++;
                max = Math.max(max, p.recordsLag());
            }
        }
        StringBuilder line = new StringBuilder();
        StringBuilder unknown = new StringBuilder();
        boolean drawing = false;
        double lastX = -1;
        double lastY = -1;
        for (LagHistory.Point p : points) {
            if (p.atMs() < fromMs || p.atMs() > toMs) {
                continue;
            }
            double x = PAD + (WIDTH - 2 * PAD) * (p.atMs() - fromMs) / span;
            if (p.recordsLag() < 0) {
                unknown.append("<line class=\"unknown\" x1=\"").append(num(x)).append("\" y1=\"0\" x2=\"")
                        .append(num(x)).append("\" y2=\"").append(HEIGHT).append("\"/>");
                drawing = false;
                lastX = -1;
                continue;
            }
            double y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (max == 0 ? 0 : (double) p.recordsLag() / max);
            line.append(line.length() == 0 ? "M" : drawing ? " L" : " M").append(num(x)).append(',').append(num(y));
            drawing = true;
            lastX = x;
            lastY = y;
        }
        StringBuilder svg = new StringBuilder(256 + line.length() + unknown.length());
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lag-plot\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"Records lag over time, highest ").append(max)
                .append("\" data-max=\"").append(max).append("\" data-points=\"").append(shown).append("\">");
        svg.append("<line class=\"axis\" x1=\"0\" y1=\"").append(num(HEIGHT - PAD)).append("\" x2=\"").append(WIDTH)
                .append("\" y2=\"").append(num(HEIGHT - PAD)).append("\"/>");
        svg.append(unknown);
        if (line.length() > 0) {
            svg.append("<path class=\"lag\" d=\"").append(line).append("\"/>");
        }
        if (lastX >= 0) {
            svg.append("<circle class=\"last\" cx=\"").append(num(lastX)).append("\" cy=\"").append(num(lastY))
                    .append("\" r=\"2\"/>");
        }
        return svg.append("</svg>").toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
