package ai.posttrain.stage;

import ai.posttrain.train.SparkTrainer;

import java.util.Locale;

/** Console progress: step/total, loss, tokens/s and the time left, about every 10 seconds. */
final class ProgressPrinter {
    private final java.io.PrintStream console;
    private final String stage;
    private final long started = System.nanoTime();
    private long lastPrint;
    private int stepsSeen;

    ProgressPrinter(java.io.PrintStream console, String stage) {
        this.console = console;
        this.stage = stage;
    }

    void step(SparkTrainer.Step s) {
        stepsSeen++;
        long now = System.nanoTime();
        boolean last = s.step() + 1 == s.totalSteps();
        if (now - lastPrint < 10_000_000_000L && !last && stepsSeen > 1) return;
        lastPrint = now;
        double elapsed = (now - started) / 1e9;
        double eta = elapsed / stepsSeen * (s.totalSteps() - s.step() - 1);
        console.printf(Locale.ROOT, "[%s] step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  eta %s%n", stage, s.step() + 1,
                s.totalSteps(), s.loss(), s.lr(), s.tokensPerSecond(), duration(eta));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
