package ai.posttrain.format.gguf;

import java.util.List;

/**
 * A tokenizer as GGUF stores it ({@code tokenizer.ggml.*}). Stand-in with the same shape as the tokenizer
 * package's record, until that lands.
 *
 * @param model      tokenizer.ggml.model ("gpt2" for byte-level BPE)
 * @param pre        tokenizer.ggml.pre, llama.cpp's name for the pre-tokenizer regex ("gpt-2", "smollm", "qwen2", ...)
 * @param tokens     token strings by id, in the byte-level alphabet for BPE
 * @param tokenTypes llama.cpp token types by id: 1 normal, 3 control, 4 user-defined, 5 unused, 6 byte
 * @param merges     BPE merges as "left right", in rank order
 * @param pad        -1 when the tokenizer has none
 * @param chatTemplate null when there is none
 */
public record TokenizerExport(String model, String pre, List<String> tokens, int[] tokenTypes, List<String> merges,
                              int bos, int eos, int pad, String chatTemplate) {
    public static final int NORMAL = 1;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;

    public TokenizerExport {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        if (tokenTypes.length != tokens.size())
            throw new IllegalArgumentException(tokens.size() + " tokens but " + tokenTypes.length + " token types");
    }
}
