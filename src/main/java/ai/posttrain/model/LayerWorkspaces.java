package ai.posttrain.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable memory for one layer's backward-pass temporaries: allocating fresh off-heap arrays (page
 * faults, zeroing) cost about as much as the arithmetic here. Everything the backward pass allocates is
 * temporary (gradients are assigned into DL4J's views; dL/dinput leaves as a detached copy), so it lives
 * in a workspace that is reset every pass. The forward pass's cache cannot: ND4J refuses arrays whose
 * workspace has been closed, and the cache must outlive the forward call.
 */
final class LayerWorkspaces {
    // Every JVM that builds a layer or a sampler (driver and executors) frees ND4J's garbage in time.
    static { OffHeapGuard.start(); }

    /** Learns its size on the first cycle, then reuses one block; also the sampler's per-step scratch. */
    static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyLearning(LearningPolicy.OVER_TIME).cyclesBeforeInitialization(1)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private final String backwardId;

    /**
     * One workspace per layer class and thread, not per layer instance: ND4J keeps a thread's
     * workspaces for the thread's life, and DL4J-on-Spark builds new layer instances every averaging
     * round, so per-instance workspaces leaked until the executor ran out of memory. Sharing is safe:
     * backward passes of layers run one after another and each closes its workspace before returning.
     */
    LayerWorkspaces(Object owner) {
        this.backwardId = owner.getClass().getSimpleName() + "/bwd";
    }

    MemoryWorkspace backward() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, backwardId);
    }

    /** Column sums [1, C] of rows [N, C] as one gemv: ND4J's sum over dimension 0 of a 'c' array is slow. */
    static INDArray columnSums(INDArray rows) {
        return Nd4j.ones(rows.dataType(), 1, rows.size(0)).mmul(rows);
    }
}
