package ai.posttrain.format.hf;

import ai.posttrain.format.ModelFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and checks a {@code config.json}: every field that changes the computation is either honoured or
 * refused with a {@link ModelFormatException} naming the file and the field; purely informative fields
 * (transformers_version, initializer_range, ...) are ignored.
 */
public final class HfConfigReader {
    public static final String FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigReader() {}

    /** Reads {@code dir/config.json} from any Hadoop filesystem. */
    public static HfConfig read(String dir, Configuration hadoop) {
        Path p = new Path(dir, FILE);
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            if (!fs.exists(p)) throw new ModelFormatException(dir, FILE, "missing: not a Hugging Face model folder");
            try (FSDataInputStream in = fs.open(p)) {
                return parse(p.toString(), (InputStream) in);
            }
        } catch (IOException e) {
            throw new ModelFormatException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static HfConfig parse(String file, InputStream in) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelFormatException(file, "json", e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(file, "json", "not a JSON object");
        return new Fields(file, root).config();
    }

    /** One config's fields, with the file name for messages. */
    private record Fields(String file, JsonNode root) {
        HfConfig config() {
            String arch = architecture();
            boolean qwen = HfConfig.QWEN2.equals(arch);
            int hidden = positiveInt("hidden_size");
            int heads = positiveInt("num_attention_heads");
            if (hidden % heads != 0)
                throw fail("num_attention_heads", heads + " does not divide hidden_size " + hidden);
            int kvHeads = root.hasNonNull("num_key_value_heads") ? positiveInt("num_key_value_heads") : heads;
            if (heads % kvHeads != 0)
                throw fail("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
            if (root.hasNonNull("head_dim") && root.get("head_dim").asInt() != hidden / heads)
                throw fail("head_dim", root.get("head_dim").asInt() + " differs from hidden_size / num_attention_heads = "
                        + hidden / heads + " (unsupported)");
            requireText("hidden_act", "silu");
            requireAbsentOrFalse("mlp_bias", "MLP biases are not supported");
            if (root.hasNonNull("rope_scaling")) {
                JsonNode s = root.get("rope_scaling");
                String type = s.path("rope_type").asText(s.path("type").asText("?"));
                throw fail("rope_scaling", "rope_type '" + type + "' is not supported (only rope_scaling: null)");
            }
            boolean qkvBias;
            if (qwen) {
                requireAbsentOrFalse("use_sliding_window", "sliding-window attention is not supported");
                qkvBias = true;
            } else {
                // Llama's attention_bias also puts a bias on o_proj, which the engine does not have.
                requireAbsentOrFalse("attention_bias", "attention biases (q/k/v/o) are not supported for LlamaForCausalLM");
                qkvBias = false;
            }
            String dtype = root.hasNonNull("torch_dtype") ? root.get("torch_dtype").asText()
                    : root.path("dtype").asText("float32");
            if (!List.of("float32", "float16", "bfloat16").contains(dtype))
                throw fail(root.hasNonNull("torch_dtype") ? "torch_dtype" : "dtype", "'" + dtype + "' is not supported (float32, float16, bfloat16)");
            return new HfConfig(arch, positiveInt("vocab_size"), hidden, positiveInt("intermediate_size"),
                    positiveInt("num_hidden_layers"), heads, kvHeads, positiveInt("max_position_embeddings"),
                    positiveDouble("rope_theta", 10000.0), positiveDouble("rms_norm_eps", 1e-6),
                    root.path("tie_word_embeddings").asBoolean(false), qkvBias, dtype,
                    root.hasNonNull("bos_token_id") ? root.get("bos_token_id").asInt() : null, ids("eos_token_id"));
        }

        private String architecture() {
            JsonNode a = root.path("architectures");
            if (!a.isArray() || a.size() != 1)
                throw fail("architectures", "expected one of [" + HfConfig.LLAMA + ", " + HfConfig.QWEN2 + "], got " + a);
            String arch = a.get(0).asText();
            if (!HfConfig.LLAMA.equals(arch) && !HfConfig.QWEN2.equals(arch))
                throw fail("architectures", "'" + arch + "' is not supported (supported: " + HfConfig.LLAMA + ", " + HfConfig.QWEN2 + ")");
            return arch;
        }

        private int positiveInt(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) throw fail(field, "missing");
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) throw fail(field, "expected a positive integer, got " + n);
            return n.asInt();
        }

        private double positiveDouble(String field, double otherwise) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) return otherwise;
            if (!n.isNumber() || n.asDouble() <= 0) throw fail(field, "expected a positive number, got " + n);
            return n.asDouble();
        }

        private void requireText(String field, String expected) {
            JsonNode n = root.get(field);
            if (n != null && !n.isNull() && !expected.equals(n.asText()))
                throw fail(field, "'" + n.asText() + "' is not supported (only '" + expected + "')");
        }

        private void requireAbsentOrFalse(String field, String why) {
            JsonNode n = root.get(field);
            if (n != null && !n.isNull() && n.asBoolean(true)) throw fail(field, why);
        }

        private List<Integer> ids(String field) {
            JsonNode n = root.get(field);
            List<Integer> ids = new ArrayList<>();
            if (n == null || n.isNull()) return ids;
            if (n.isArray()) n.forEach(x -> ids.add(x.asInt()));
            else if (n.isIntegralNumber()) ids.add(n.asInt());
            else throw fail(field, "expected an integer or a list of integers, got " + n);
            return ids;
        }

        private ModelFormatException fail(String field, String problem) {
            return new ModelFormatException(file, field, problem);
        }
    }
}
