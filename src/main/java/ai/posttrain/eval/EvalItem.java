package ai.posttrain.eval;

import ai.posttrain.data.Message;

import java.io.Serializable;
import java.util.List;

/**
 * One held-out prompt: the conversation up to the model's turn, and the references its domain's
 * verifier needs ({@code answer}, {@code tests}, or the gold reply).
 */
public record EvalItem(String suite, String id, String domain, Integer difficulty, List<Message> prompt, String answer,
                       List<String> tests, String goldReply) implements Serializable {}
