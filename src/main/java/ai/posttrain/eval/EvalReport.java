package ai.posttrain.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per-suite metrics of one evaluation, plus every scored completion. */
public record EvalReport(Map<String, SuiteMetrics> suites, List<EvalOutcome> outcomes) {

    /**
     * @param metric        the suite's headline metric (accuracy, pass_rate, tool_call_validity, format_validity)
     * @param value         fraction of items that passed
     * @param byDifficulty  the same fraction per difficulty level
     */
    public record SuiteMetrics(int n, String metric, double value, double formatRate, double stopRate,
                               double meanNewTokens, double meanScore, Map<Integer, Double> byDifficulty) {}

    static EvalReport of(List<EvalOutcome> outcomes) {
        Map<String, List<EvalOutcome>> bySuite = new TreeMap<>();
        for (EvalOutcome o : outcomes) bySuite.computeIfAbsent(o.suite(), k -> new ArrayList<>()).add(o);
        Map<String, SuiteMetrics> suites = new LinkedHashMap<>();
        bySuite.forEach((suite, list) -> {
            Map<Integer, int[]> perLevel = new TreeMap<>();
            for (EvalOutcome o : list) {
                if (o.difficulty() == null) continue;
                int[] c = perLevel.computeIfAbsent(o.difficulty(), k -> new int[2]);
                c[0]++;
                if (o.passed()) c[1]++;
            }
            Map<Integer, Double> byDifficulty = new TreeMap<>();
            perLevel.forEach((level, c) -> byDifficulty.put(level, (double) c[1] / c[0]));
            suites.put(suite, new SuiteMetrics(list.size(), list.get(0).metric(),
                    mean(list, o -> o.passed() ? 1 : 0), mean(list, o -> o.formatOk() ? 1 : 0),
                    mean(list, o -> o.stopped() ? 1 : 0), mean(list, EvalOutcome::newTokens),
                    mean(list, EvalOutcome::score), byDifficulty));
        });
        return new EvalReport(suites, List.copyOf(outcomes));
    }

    private static double mean(List<EvalOutcome> list, java.util.function.ToDoubleFunction<EvalOutcome> f) {
        return list.stream().mapToDouble(f).average().orElse(0);
    }

    /** {"math":{"n":200,"accuracy":0.91,"format_rate":…,"by_difficulty":{"1":…}}, …} */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        suites.forEach((suite, m) -> {
            ObjectNode s = root.putObject(suite);
            s.put("n", m.n());
            s.put(m.metric(), round(m.value()));
            if (m.metric().equals("pass_rate")) s.put("test_pass_fraction", round(m.meanScore()));
            s.put("format_rate", round(m.formatRate()));
            s.put("stop_rate", round(m.stopRate()));
            s.put("mean_new_tokens", round(m.meanNewTokens()));
            if (!m.byDifficulty().isEmpty()) {
                ObjectNode levels = s.putObject("by_difficulty");
                m.byDifficulty().forEach((level, v) -> levels.put(String.valueOf(level), round(v)));
            }
        });
        try {
            return json.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double v) { return Math.round(v * 10000) / 10000.0; }
}
