package ai.posttrain.stage;

import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Console progress of a phase that runs as Spark jobs on the executors (evaluation, teacher top-k, pair
 * mining, rollout sampling and scoring): every 10 seconds while it runs, a line with the tasks done of all
 * its jobs' stages, the rate and the time left. The driver sees executor work only as finished tasks, so the
 * phases that use it split their input into several tasks per core. Jobs are tied to the phase by a Spark job
 * group, set on the calling thread for the phase's lifetime.
 */
final class SparkProgress implements AutoCloseable {
    static final long PERIOD_MS = 10_000;
    private final JavaSparkContext sc;
    private final PrintStream console;
    private final String label;
    private final String group = "posttrain-" + UUID.randomUUID();
    private final long started = System.nanoTime();
    private final ScheduledExecutorService timer;

    /** {@code label}: what the lines start with, e.g. "[distill] teacher top-k". */
    SparkProgress(JavaSparkContext sc, PrintStream console, String label) {
        this(sc, console, label, PERIOD_MS);
    }

    SparkProgress(JavaSparkContext sc, PrintStream console, String label, long periodMs) {
        this.sc = sc;
        this.console = console;
        this.label = label;
        sc.setJobGroup(group, label, false);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress " + label);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void report() {
        int done = 0, total = 0;
        for (int job : sc.statusTracker().getJobIdsForGroup(group)) {
            SparkJobInfo info = sc.statusTracker().getJobInfo(job);
            if (info == null) continue;
            for (int stage : info.stageIds()) {
                SparkStageInfo s = sc.statusTracker().getStageInfo(stage);
                if (s == null) continue;
                done += s.numCompletedTasks();
                total += s.numTasks();
            }
        }
        console.println(line(label, done, total, (System.nanoTime() - started) / 1e9));
    }

    /** "[distill] teacher top-k: 3/8 tasks, 0.30 tasks/s, eta 17s, 10s so far" (eta ? before the first task ends). */
    static String line(String label, int done, int total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? ProgressPrinter.duration((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s: %d/%d tasks, %.2f tasks/s, eta %s, %s so far", label, done, total, rate, eta,
                ProgressPrinter.duration(seconds));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sc.clearJobGroup();
    }
}
