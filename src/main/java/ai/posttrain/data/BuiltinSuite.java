package ai.posttrain.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The built-in data suites; {@link #id()} is the name used in {@code builtin:<suite>} and file names. */
public enum BuiltinSuite {
    MATH, STEM, CODE, CONVERSATION, AGENT, REASONING, PREFERENCE;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** Whether the suite has wordings only its reworded split uses (builtin:<suite>:reworded). */
    public boolean reworded() { return this == MATH || this == STEM || this == CODE; }

    public static BuiltinSuite parse(String id) {
        for (BuiltinSuite s : values()) if (s.id().equals(id)) return s;
        throw new DataException("Unknown builtin suite '" + id + "'; known: "
                + Arrays.stream(values()).map(BuiltinSuite::id).collect(Collectors.joining(", ")));
    }
}
