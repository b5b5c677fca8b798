package ai.posttrain.tokenizer;

import java.util.List;

/** Strings every tokenizer must round-trip: ASCII, accents, CJK, emoji, code, markers, tool calls. */
final class SampleTexts {
    private SampleTexts() {}

    static final List<String> ALL = List.of(
            "",
            "a",
            "Hello, world!",
            "  leading and trailing spaces  ",
            "The answer is 42.",
            "Crème brûlée, naïve façade, Ångström, Straße",
            "日本語のテキストと中文文本",
            "emoji: 🙂🚀👩‍💻 and flags 🇫🇷",
            "math: ∑_{i=1}^{n} i = n(n+1)/2, √2 ≈ 1.414, 3/4 − 1/4 = ½",
            "def add(a, b):\n\treturn a + b\n\nprint(add(2, 3))\n",
            "for i in range(10):\n    if i % 2 == 0:\n        print(i)\r\n",
            "<think>12 + 30: 2+0=2, 1+3=4 → 42</think>The answer is 42.",
            "<think></think>",
            "nested </think> before <think> and <think><think>",
            "<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"weather in Paris\", \"limit\": 3}}</tool_call>",
            "{\"result\": [1, 2.5, -3e10, null, true], \"text\": \"quote \\\" backslash \\\\ \\u00e9\"}",
            "literal role markers <|user|> <|assistant|> <|end|> <bos> <pad> stay text",
            "<|endoftext|> and < think > and <think",
            "null\u0000byte and control \u0007 chars",
            "x".repeat(3000)
    );
}
