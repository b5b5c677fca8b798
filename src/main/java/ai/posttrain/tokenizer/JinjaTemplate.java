package ai.posttrain.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.io.Serializable;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Hugging Face chat template rendered as transformers' {@code apply_chat_template} renders it: Jinja with
 * trim_blocks and lstrip_blocks, the variables messages, add_generation_prompt, tools (none) and the special
 * token strings (bos_token, eos_token, ...), and the functions raise_exception and strftime_now. Python-only
 * details transformers adds (tojson with Python's separators) are supplied here; the rest is jinjava's Jinja.
 */
public final class JinjaTemplate implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String CLOCK_KEY = "__posttrain_clock__";

    private final String source;
    private final String template;
    private final Map<String, String> specialTokens;
    private final Clock clock;
    private transient Jinjava jinjava;

    /**
     * @param source        where the template came from, for messages
     * @param specialTokens template variables such as bos_token and eos_token (absent ones are undefined)
     * @param clock         what strftime_now reads ("today" in Llama 3's system header)
     */
    public JinjaTemplate(String source, String template, Map<String, String> specialTokens, Clock clock) {
        if (template == null || template.isBlank()) throw new IllegalArgumentException(source + ": the chat template is empty");
        this.source = source;
        this.template = template;
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = clock;
    }

    public JinjaTemplate(String source, String template, Map<String, String> specialTokens) {
        this(source, template, specialTokens, Clock.systemDefaultZone());
    }

    public String template() { return template; }

    public String source() { return source; }

    /** Renders messages, each a map with at least "role" and "content". */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return renderWith(messages, addGenerationPrompt, Map.of());
    }

    /** Renders with extra variables (e.g. "tools", a list of JSON-schema maps), as apply_chat_template's kwargs. */
    public String renderWith(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extra) {
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("tools", null);
        vars.putAll(extra);
        vars.put("strftime_now", "strftime_now"); // so `strftime_now is defined` holds, as it does in transformers
        vars.put(CLOCK_KEY, clock);
        RenderResult result = engine().renderForResult(template, vars);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            throw new IllegalArgumentException("chat template of " + source + " failed: "
                    + fatal.stream().map(JinjaTemplate::describe).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    private static String describe(TemplateError e) {
        Throwable t = e.getException();
        while (t != null && t.getCause() != null && t.getCause() != t) t = t.getCause();
        String why = t instanceof TemplateRaised ? t.getMessage() : e.getMessage();
        return why + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
    }

    private Jinjava engine() {
        Jinjava j = jinjava;
        if (j == null) {
            // Jinja2 semantics jinjava keeps behind "legacy overrides": {{- -}} and {#- -#} trim whitespace,
            // Python operator precedence, iterating a dict yields its keys, None loop items are kept.
            LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withIterateOverMapKeys(true)
                    .withEvaluateMapKeys(true)
                    .withKeepNullableLoopValues(true)
                    .build();
            j = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                    .withLegacyOverrides(jinja2).build());
            j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaTemplate.class, "raiseException", String.class));
            j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaTemplate.class, "strftimeNow", String.class));
            j.getGlobalContext().registerFilter(new ToJson());
            jinjava = j;
        }
        return j;
    }

    /** raise_exception(message): the template rejects the conversation. */
    public static String raiseException(String message) { throw new TemplateRaised(message); }

    /** strftime_now(format): the current time in a Python strftime format. */
    public static String strftimeNow(String format) {
        Object clock = JinjavaInterpreter.getCurrent().getContext().get(CLOCK_KEY);
        return Strftime.format(ZonedDateTime.now(clock instanceof Clock c ? c : Clock.systemDefaultZone()), format);
    }

    private static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) { super("raise_exception: " + message); }
    }

    /** tojson as transformers defines it (Python json.dumps, ensure_ascii=False, optional indent). */
    private static final class ToJson implements Filter {
        @Override public String getName() { return "tojson"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, args.length > 0 ? Integer.valueOf(args[0]) : null);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            return PythonJson.dumps(var, indent == null ? null : ((Number) (indent instanceof String s ? Integer.valueOf(s) : indent)).intValue());
        }
    }

    /** The strftime directives chat templates use, in English as Python's C locale prints them. */
    static final class Strftime {
        private Strftime() {}

        static String format(ZonedDateTime t, String format) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 == format.length()) { out.append(c); continue; }
                char d = format.charAt(++i);
                switch (d) {
                    case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                    case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                    case 'Y' -> out.append(t.getYear());
                    case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                    case 'b' -> out.append(t.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH));
                    case 'B' -> out.append(t.getMonth().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH));
                    case 'a' -> out.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH));
                    case 'A' -> out.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH));
                    case 'H' -> out.append(String.format("%02d", t.getHour()));
                    case 'M' -> out.append(String.format("%02d", t.getMinute()));
                    case 'S' -> out.append(String.format("%02d", t.getSecond()));
                    case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                    case '%' -> out.append('%');
                    default -> out.append('%').append(d);
                }
            }
            return out.toString();
        }
    }
}
