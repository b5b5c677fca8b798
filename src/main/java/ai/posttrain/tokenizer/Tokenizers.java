package ai.posttrain.tokenizer;

/** Builds a tokenizer from its config: kind "byte" (default) or "hf" with a tokenizer.json path. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * @param kind "byte", "hf", or null/blank for "byte"
     * @param pathOrNull the tokenizer.json for "hf" (any Hadoop path); must be null/blank for "byte"
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
            default -> throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "' (expected 'byte' or 'hf')");
        };
    }
}
