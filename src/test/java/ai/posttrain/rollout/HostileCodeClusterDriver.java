package ai.posttrain.rollout;

import ai.posttrain.cli.Main;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.config.RlSettings;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.Tokenizers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark application for StandaloneClusterIT's hostile-code test (submitted with spark-submit, the test
 * classes on the driver's class path only): in one application on the cluster, it first scores canned
 * hostile completions of a code prompt, and an honest one, with the code sub-stage's reward mix through
 * RewardScorer on the executors (their jails), then runs the RL stage's code sub-stage (real sampling,
 * rewards and update on the same executors). Writes what it saw as JSON for the test to check.
 * Arguments: result.json, marker path (what the hostile code tries to create on the host), run dir, conf file.
 */
public final class HostileCodeClusterDriver {
    static final List<String> TESTS = List.of("assert f(2) == 5", "assert f(0) == 1");

    /** Attack name -> solution. Each tries to score without being right, or to reach the host. */
    static Map<String, String> attacks(String marker) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("write_host_file", "open('" + marker + "', 'w').write('pwned')\ndef f(x):\n    return 2*x+1\n");
        m.put("rigged_eq", "class R(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\ndef f(x):\n    return R(0)\n");
        m.put("exit_before_checks", "import sys\nsys.exit(0)\ndef f(x):\n    return 2*x+1\n");
        m.put("forged_output", "print('{\"test\": 0, \"status\": \"pass\"}')\nprint('PASS')\ndef f(x):\n    return x\n");
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path result = Path.of(args[0]);
        String marker = args[1], run = args[2], conf = args[3];
        SparkSession spark = SparkSession.builder().getOrCreate();   // spark-submit's master and jar
        PosttrainConfig config = PosttrainConfig.load(conf, List.of());
        RlSettings.SubStage code = config.rl().subStages().stream().filter(s -> s.name().equals("code")).findFirst().orElseThrow();
        RewardMix mix = new RewardMix(new RewardMix.Weights(code.rewards(), code.rewardClip(), 256, 0, 0, code.repetitionNgram(),
                0, 0), config.rl().sandbox(), config.rl().verifiers());
        RewardScorer scorer = new RewardScorer(spark, mix, null, new ChatTemplate(RolloutFixtures.BYTES));

        List<Row> rows = new ArrayList<>();
        attacks(marker).forEach((name, solution) ->
                rows.add(RolloutFixtures.row(0, name, 0, "code", "write f", "<think>f</think>```python\n" + solution + "```", null, TESTS, 0)));
        rows.add(RolloutFixtures.row(0, "honest", 0, "code", "write f", "<think>f</think>```python\ndef f(x):\n    return 2*x+1\n```", null, TESTS, 0));
        long t0 = System.nanoTime();
        // Two partitions: both executors score (and jail) some of the rows.
        List<Row> scored = scorer.transform(RolloutFixtures.frame(spark, rows).repartition(2)).collectAsList();
        double seconds = (System.nanoTime() - t0) / 1e9;

        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("score_seconds", seconds);
        ArrayNode list = out.putArray("rows");
        for (Row r : scored) {
            ObjectNode o = list.addObject();
            o.put("id", r.getString(r.fieldIndex("prompt_id")));
            o.put("reward", r.getDouble(r.fieldIndex("reward")));
            o.put("flagged", r.getBoolean(r.fieldIndex("flagged")));
            o.put("flag_reason", r.getString(r.fieldIndex("flag_reason")));
            o.put("correct", r.isNullAt(r.fieldIndex("verifier_correct")) ? null : r.getBoolean(r.fieldIndex("verifier_correct")));
        }
        Files.writeString(result, json.writeValueAsString(out));   // written before the stage: checkable if it fails

        // The job goes on: the code sub-stage of the RL stage, in the same application and on the same executors.
        String init = tinyPolicy(config, Path.of(run).resolveSibling("init"));
        int rc = Main.run(new String[]{"stage", "rl", "--run", run, "--conf", conf,
                "--set", "posttrain.stages.rl.init=\"" + init + "\"",
                "--set", "posttrain.stages.rl.sub-stages=[{ name = code, inputs = [\"builtin:code\"], heldout = [\"builtin:code:heldout\"], "
                        + "rewards { code = 1.0, format = 0.2 }, iterations = 1, prompts-per-iteration = 2, heldout-prompts = 2 }]",
                "--set", "posttrain.eval.per-suite=1", "--set", "posttrain.eval.max-new-tokens=8",
                "--set", "posttrain.train.workers=2"}, System.out, System.err);
        out.put("stage_exit", rc);
        // The sub-stage's own iteration scored the built-in canaries beside the policy's samples, on the same executors.
        for (Row r : spark.read().parquet(run + "/metrics").where("stage = 'rl' and phase = 'code'").collectAsList()) {
            Map<String, Double> extra = r.getJavaMap(r.fieldIndex("extra"));
            out.put("canaries", extra.getOrDefault("canaries", -1.0));
            out.put("canaries_flagged", extra.getOrDefault("canaries_flagged", -1.0));
        }
        out.put("canary_rollouts", spark.read().parquet(run + "/rollouts").where("prompt_id like 'canary:%'").count());
        Files.writeString(result, json.writeValueAsString(out));
        spark.stop();
    }

    /** A fresh student of the configured size, saved as the RL stage's starting checkpoint. */
    private static String tinyPolicy(PosttrainConfig config, Path dir) {
        var m = config.student();
        ModelConfig arch = new ModelConfig(Tokenizers.create("byte", "").vocabSize(), m.dModel(), m.layers(), m.heads(),
                m.dFf(), m.maxSeqLen(), m.positions(), m.tiedEmbeddings());
        Checkpoints.save(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 7),
                new ModelInfo(arch, "byte", "test", 0, Map.of()), dir.toString());
        return dir.toString();
    }
}
