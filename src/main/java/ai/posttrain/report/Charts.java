package ai.posttrain.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** PNG charts drawn with JFreeChart, off screen (no display needed). */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 420;

    static {
        // Cluster drivers and CI machines have no display.
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** One point of a line series. */
    record Point(double x, double y) {}

    /** One bar: {@code series} picks the colour, {@code category} the group on the axis. */
    record Bar(String series, String category, double value) {}

    /** A vertical line across a plot at {@code x}, labelled (e.g. where the RL hacking monitor fired). */
    record Mark(double x, String label) {}

    /** A line per series (in map order) over an integer x axis such as step or iteration. */
    static byte[] lines(String title, String xLabel, String yLabel, Map<String, List<Point>> series) {
        return lines(title, xLabel, yLabel, series, List.of());
    }

    /** {@link #lines(String, String, String, Map)} with vertical marks. */
    static byte[] lines(String title, String xLabel, String yLabel, Map<String, List<Point>> series, List<Mark> marks) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, true, false);
            for (Point p : points) if (Double.isFinite(p.y())) s.add(p.x(), p.y());
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        for (Mark m : marks) {
            ValueMarker marker = new ValueMarker(m.x(), Color.RED, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
            marker.setLabel(m.label());
            marker.setLabelPaint(Color.RED);
            marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(marker);
        }
        return png(style(chart));
    }

    /** Grouped bars; {@code upper} fixes the value axis' top (1 for rates), NaN leaves it automatic. */
    static byte[] bars(String title, String categoryLabel, String valueLabel, List<Bar> bars, double upper) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Bar b : bars) data.addValue(b.value(), b.series(), b.category());
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data);
        CategoryPlot plot = chart.getCategoryPlot();
        if (!Double.isNaN(upper)) plot.getRangeAxis().setRange(0, upper);
        return png(style(chart));
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(0xF7F7F7));
        return chart;
    }

    private static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
