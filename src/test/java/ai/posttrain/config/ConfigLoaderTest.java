package ai.posttrain.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConfigLoaderTest {
    @Test
    void defaultsComeFromReferenceConf() {
        PosttrainConfig c = PosttrainConfig.load(null, List.of());
        assertEquals(42, c.seed());
        assertEquals("byte", c.tokenizer().kind());
        assertEquals(640, c.data().maxTokens());
        assertEquals("false", c.spark().conf().get("spark.ui.enabled"));
    }

    @Test
    void setOverridesConfFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("my.conf");
        Files.writeString(conf, "posttrain { seed = 7, data.max-tokens = 128 }\n");
        PosttrainConfig c = PosttrainConfig.load(conf.toString(), List.of("posttrain.seed=9"));
        assertEquals(9, c.seed());
        assertEquals(128, c.data().maxTokens());
        assertTrue(c.resolvedJson().contains("\"seed\":9"));
    }

    @Test
    void unknownKeyIsNamed() {
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.no-such-key=1")));
        assertEquals("posttrain.no-such-key", e.key());
        assertTrue(e.getMessage().contains("unknown key"));
    }

    @Test
    void unknownKeyInConfFileIsNamed(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "posttrain.data.max-tokenz = 3\n");
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(conf.toString(), List.of()));
        assertEquals("posttrain.data.max-tokenz", e.key());
    }

    @Test
    void wrongTypeIsNamed() {
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.seed=abc")));
        assertEquals("posttrain.seed", e.key());
        assertTrue(e.getMessage().contains("expected a number"), e.getMessage());
        ConfigError obj = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.data={a:1}")));
        assertEquals("posttrain.data.a", obj.key());
    }

    @Test
    void outOfRangeAndBadChoiceAreNamed() {
        ConfigError range = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.data.max-tokens=2")));
        assertEquals("posttrain.data.max-tokens", range.key());
        assertTrue(range.getMessage().contains("[8, 65536]"), range.getMessage());
        ConfigError choice = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.tokenizer.kind=word")));
        assertEquals("posttrain.tokenizer.kind", choice.key());
        ConfigError hf = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.tokenizer.kind=hf")));
        assertEquals("posttrain.tokenizer.path", hf.key());
    }

    @Test
    void sparkConfIsFreeForm() {
        PosttrainConfig c = PosttrainConfig.load(null, List.of("posttrain.spark.conf.\"spark.executor.memory\"=2g"));
        assertEquals("2g", c.spark().conf().get("spark.executor.memory"));
    }

    @Test
    void missingConfFileIsAConfigError() {
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load("/no/such.conf", List.of()));
        assertEquals("--conf", e.key());
    }

    @Test
    void shippedConfFilesAreValid() {
        assertEquals("local[*]", PosttrainConfig.load("conf/local.conf", List.of()).spark().master());
        PosttrainConfig cluster = PosttrainConfig.load("conf/cluster.conf", List.of());
        assertEquals("hdfs:///user/ml/posttrain/runs", cluster.run().root());
        assertEquals(1024, cluster.data().maxTokens());
    }

    @Test
    void stagesOverrideSharedTrainingSettings() {
        PosttrainConfig c = PosttrainConfig.load(null, List.of("posttrain.stages.overall-sft.train.lr=0.0007"));
        assertEquals(0.0007, c.overallSft().train().lr(), 1e-12);
        assertEquals(3e-3, c.coldStartSft().train().lr(), 1e-12);
        assertEquals(3, c.overallSft().phases().size());
        assertEquals(114, c.overallSft().totalSteps());
        assertEquals(List.of(1), c.overallSft().phases().get(0).difficulties());
        ConfigError unknown = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.stages.overall-sft.train.lrr=1")));
        assertEquals("posttrain.stages.overall-sft.train.lrr", unknown.key());
        ConfigError range = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.stages.cold-start-sft.train.workers=0")));
        assertEquals("posttrain.stages.cold-start-sft.train.workers", range.key());
        ConfigError noStage = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.stages.nope.train.lr=1")));
        assertEquals("posttrain.stages.nope.train.lr", noStage.key());
    }

    @Test
    void curriculumPhasesAreChecked() {
        ConfigError badKey = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of(
                "posttrain.stages.overall-sft.curriculum=[{name=a, difficulties=[1], steps=2, mixture={math=1}, stpes=3}]")));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].stpes", badKey.key());
        ConfigError badSteps = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of(
                "posttrain.stages.overall-sft.curriculum=[{name=a, difficulties=[1], steps=2, mixture={math=1}}, {name=b, difficulties=[2], steps=0, mixture={math=1}}]")));
        assertEquals("posttrain.stages.overall-sft.curriculum[1].steps", badSteps.key());
        ConfigError noMix = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of(
                "posttrain.stages.overall-sft.curriculum=[{name=a, difficulties=[1], steps=2, mixture={math=0}}]")));
        assertEquals("posttrain.stages.overall-sft.curriculum[0].mixture", noMix.key());
        ConfigError heads = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.model.teacher.heads=3")));
        assertEquals("posttrain.model.teacher.heads", heads.key());
    }
}
