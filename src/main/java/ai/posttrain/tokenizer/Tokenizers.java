package ai.posttrain.tokenizer;

import org.apache.hadoop.conf.Configuration;

/**
 * Builds a tokenizer from its config: kind "byte" (default), "hf" with a tokenizer.json path, or "hf-model"
 * with a Hugging Face model folder (tokenizer.json, tokenizer_config.json with the chat template, ...).
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** The folder inside a checkpoint (or HF export) where a model-folder tokenizer's files travel. */
    public static final String CHECKPOINT_DIR = "tokenizer";

    /**
     * @param kind "byte", "hf", "hf-model", or null/blank for "byte"
     * @param pathOrNull the tokenizer.json for "hf", the model folder for "hf-model" (any Hadoop path); null for "byte"
     * @throws IllegalArgumentException for an unknown kind, a missing path, or an unreadable/invalid file
     */
    public static Tokenizer create(String kind, String pathOrNull) {
        String k = kind == null || kind.isBlank() ? "byte" : kind.trim();
        boolean hasPath = pathOrNull != null && !pathOrNull.isBlank();
        return switch (k) {
            case "byte" -> {
                if (hasPath) throw new IllegalArgumentException("tokenizer kind 'byte' takes no file, got '" + pathOrNull + "'");
                yield new ByteTokenizer();
            }
            case "hf" -> {
                if (!hasPath) throw new IllegalArgumentException("tokenizer kind 'hf' needs the path of a tokenizer.json");
                yield HfTokenizer.load(pathOrNull.trim());
            }
            case "hf-model" -> {
                if (!hasPath) throw new IllegalArgumentException("tokenizer kind 'hf-model' needs the path of a model folder");
                yield fromModelFolder(pathOrNull.trim());
            }
            default -> throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "' (expected 'byte', 'hf' or 'hf-model')");
        };
    }

    /** The tokenizer of a Hugging Face model folder (any Hadoop path). */
    public static ModelFolderTokenizer fromModelFolder(String dir) {
        return new ModelFolderTokenizer(ModelFolder.read(dir, new Configuration()));
    }

    /**
     * Copies what is needed to rebuild the tokenizer into dir (e.g. checkpointDir/{@link #CHECKPOINT_DIR}):
     * a model folder's tokenizer.json, tokenizer_config.json, chat_template.jinja, generation_config.json,
     * special_tokens_map.json as they were read; an hf tokenizer's tokenizer.json; nothing for "byte".
     * @return whether anything was written
     */
    public static boolean writeFiles(Tokenizer tokenizer, String dir, Configuration conf) {
        if (tokenizer instanceof ModelFolderTokenizer m) {
            m.folder().write(dir, conf);
            return true;
        }
        if (tokenizer instanceof HfTokenizer h) {
            new ModelFolder(dir, java.util.Map.of(ModelFolder.TOKENIZER, h.fileBytes())).write(dir, conf);
            return true;
        }
        return false;
    }

    /**
     * Rebuilds the tokenizer of a checkpoint from ModelInfo.tokenizer (the kind) and the files
     * {@link #writeFiles} put in checkpointDir/{@link #CHECKPOINT_DIR}.
     */
    public static Tokenizer fromCheckpoint(String kind, String checkpointDir) {
        String k = kind == null || kind.isBlank() ? "byte" : kind.trim();
        String files = new org.apache.hadoop.fs.Path(checkpointDir, CHECKPOINT_DIR).toString();
        return switch (k) {
            case "byte" -> new ByteTokenizer();
            case "hf" -> HfTokenizer.load(new org.apache.hadoop.fs.Path(files, ModelFolder.TOKENIZER).toString());
            case "hf-model" -> fromModelFolder(files);
            default -> throw new IllegalArgumentException("checkpoint '" + checkpointDir + "': unknown tokenizer kind '" + kind + "'");
        };
    }
}
