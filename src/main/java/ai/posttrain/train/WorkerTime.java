package ai.posttrain.train;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executors' share of the jobs of one Spark job group: per stage, the longest task's run time (the
 * stage's critical path when the workers run in parallel), summed over the stages. What a training step
 * takes beyond it is the driver's part of parameter averaging (broadcast, aggregation, scheduling).
 * Listener events arrive asynchronously: read it after the jobs, accepting a lag of a few milliseconds.
 */
final class WorkerTime extends SparkListener {
    private final String group;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> longestTaskMs = new ConcurrentHashMap<>();

    WorkerTime(String group) { this.group = group; }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        if (job.properties() != null && group.equals(job.properties().getProperty("spark.jobGroup.id")))
            for (Object id : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) stages.add((Integer) id);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        if (task.taskMetrics() != null && stages.contains(task.stageId()))
            longestTaskMs.merge(task.stageId(), task.taskMetrics().executorRunTime(), Math::max);
    }

    double seconds() { return longestTaskMs.values().stream().mapToLong(Long::longValue).sum() / 1e3; }
}
