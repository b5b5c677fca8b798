package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.config.ConfigError;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.config.SftStageSettings.Phase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** A phase's record selection (levels, per-domain levels, mixture) on a real Spark DataFrame, as read from config. */
class CurriculumTest {
    private final SparkSession spark = LocalSpark.get();

    /** 100 records of each domain at each level 1-3. */
    private Dataset<Row> records() {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("domain", DataTypes.StringType)
                .add("difficulty", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        for (String domain : List.of("chat", "math", "code"))
            for (int level = 1; level <= 3; level++)
                for (int i = 0; i < 100; i++) rows.add(RowFactory.create(domain + "-" + level + "-" + i, domain, level));
        return spark.createDataFrame(rows, schema);
    }

    /** "domain@level" -> count of the selection. */
    private static Map<String, Long> counts(Dataset<Row> selected) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : selected.groupBy("domain", "difficulty").count().collectAsList())
            out.put(r.getString(0) + "@" + r.getInt(1), r.getLong(2));
        return out;
    }

    private static Phase firstPhase(String curriculum) {
        return PosttrainConfig.load(null, List.of("posttrain.stages.overall-sft.curriculum=" + curriculum)).overallSft().phases().get(0);
    }

    /** overall-sft's phases under a pretrained model's small stage rate and floor (2e-5, 2e-6). */
    private static List<Phase> phasesAtSmallStageRate(String curriculum) {
        return PosttrainConfig.load(null, List.of("posttrain.stages.overall-sft.train.lr=2e-5", "posttrain.stages.overall-sft.train.min-lr=2e-6",
                "posttrain.stages.overall-sft.curriculum=" + curriculum)).overallSft().phases();
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void aDomainWithItsOwnLevelsKeepsThoseAndTheOthersKeepThePhaseLevels() {
        Phase phase = firstPhase("[{name=a, difficulties=[1], domain-difficulties={chat=[2, 3]}, steps=2}]");
        assertEquals(Map.of("chat", List.of(2, 3)), phase.domainDifficulties());
        assertEquals(3, phase.maxLevel());
        assertEquals(Map.of("chat@2", 100L, "chat@3", 100L, "code@1", 100L, "math@1", 100L),
                counts(Curriculum.phaseRecords(records(), phase, 7, QUIET)));

        Phase noLevels = firstPhase("[{name=a, domain-difficulties={math=[3]}, steps=2}]");
        Map<String, Long> everyLevel = counts(Curriculum.phaseRecords(records(), noLevels, 7, QUIET));
        assertEquals(7, everyLevel.size(), "chat and code at every level, math at 3 only: " + everyLevel);
        assertEquals(100L, everyLevel.get("math@3"));
        assertFalse(everyLevel.containsKey("math@1"));
    }

    @Test
    void theMixtureIsDrawnFromEachDomainsOwnLevels() {
        Phase phase = firstPhase("[{name=a, difficulties=[1], domain-difficulties={chat=[1, 2, 3]}, steps=2, mixture={chat=3, math=1}}]");
        Map<String, Long> c = counts(Curriculum.phaseRecords(records(), phase, 7, QUIET));
        assertFalse(c.containsKey("code@1"), "code is not in the mixture: " + c);
        long chat = c.getOrDefault("chat@1", 0L) + c.getOrDefault("chat@2", 0L) + c.getOrDefault("chat@3", 0L);
        assertEquals(300, chat, "chat, the scarcest per unit of weight, is taken whole at its three levels: " + c);
        assertEquals(100, c.get("math@1"), 25, "math sampled to a third of chat: " + c);
        assertFalse(c.containsKey("math@2"));
    }

    @Test
    void aPhaseMayNameItsOwnLearningRate() {
        Phase own = firstPhase("[{name=a, steps=2, lr=5e-4, min-lr=5e-5}]");
        assertTrue(own.ownSchedule());
        assertEquals(5e-4, own.lr(), 1e-15);
        assertEquals(5e-5, own.minLr(), 1e-15);
        assertFalse(firstPhase("[{name=a, steps=2}]").ownSchedule());
        ConfigError floorAlone = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, steps=2, min-lr=5e-5}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].min-lr", floorAlone.key());
        ConfigError floorAbovePeak = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, steps=2, lr=1e-4, min-lr=1e-3}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].min-lr", floorAbovePeak.key());
    }

    @Test
    void aRestartedPhaseTakesTheStagesLearningRateWhateverOverridesIt() {
        List<Phase> phases = phasesAtSmallStageRate("[{name=a, steps=2, restart-schedule=true}, {name=b, steps=2, restart-schedule=true, lr=1e-4}]");
        Phase restarted = phases.get(0);
        assertTrue(restarted.ownSchedule());
        assertEquals(2e-5, restarted.lr(), 1e-15);
        assertEquals(-1, restarted.minLr(), 1e-15);   // the stage's floor
        assertEquals(1e-4, phases.get(1).lr(), 1e-15);   // an lr of its own still wins
        // The default cold-start phases restart at whatever posttrain.train.lr is (a pretrained model's 2e-5), or at
        // their fixed share of it: 2e-5 / 3e-3 of each default phase's rate.
        PosttrainConfig pretrained = PosttrainConfig.load(null, List.of("posttrain.train.lr=2e-5", "posttrain.train.min-lr=2e-6"));
        List<Phase> fresh = PosttrainConfig.load(null, List.of()).coldStartSft().phases(), small = pretrained.coldStartSft().phases();
        assertEquals(fresh.size(), small.size());
        for (int i = 0; i < fresh.size(); i++) {
            assertTrue(small.get(i).ownSchedule(), small.get(i).toString());
            assertEquals(fresh.get(i).lr() * 2e-5 / 3e-3, small.get(i).lr(), 1e-12, small.get(i).toString());
        }
    }

    @Test
    void aScaledPhaseRestartsAtItsShareOfTheStagesRateAndFloor() {
        Phase review = phasesAtSmallStageRate("[{name=a, steps=2, lr-scale=0.25}]").get(0);
        assertTrue(review.ownSchedule());
        assertEquals(5e-6, review.lr(), 1e-15);
        assertEquals(5e-7, review.minLr(), 1e-15);
        ConfigError both = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, steps=2, lr-scale=0.5, lr=1e-4}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].lr-scale", both.key());
        ConfigError above = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, steps=2, lr-scale=2}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].lr-scale", above.key());
    }

    @Test
    void perDomainLevelsAreChecked() {
        ConfigError empty = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, domain-difficulties={chat=[]}, steps=2}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].domain-difficulties.chat", empty.key());
        ConfigError zero = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, domain-difficulties={chat=[0]}, steps=2}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].domain-difficulties.chat", zero.key());
        ConfigError notList = assertThrows(ConfigError.class, () -> firstPhase("[{name=a, domain-difficulties={chat=two}, steps=2}]"));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].domain-difficulties.chat", notList.key());
        ConfigError kd = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null,
                List.of("posttrain.stages.distill.kd.domain-difficulties={chat=[-1]}")));
        assertEquals("posttrain.stages.distill.kd.domain-difficulties.chat", kd.key());
        assertEquals(Map.of("chat", List.of(1, 2)), PosttrainConfig.load(null,
                List.of("posttrain.stages.rl.replay.domain-difficulties={chat=[1, 2]}")).rl().replay().selection().domainDifficulties());
    }
}
