package ai.posttrain.data;

/**
 * An input string {@code builtin:<suite>}, {@code builtin:<suite>:train}, {@code builtin:<suite>:heldout} or
 * {@code builtin:<suite>:reworded} (held-out problems in wordings no other split uses).
 */
public record BuiltinInput(BuiltinSuite suite, Split split) {
    static final String PREFIX = "builtin:";

    public static boolean isBuiltin(String input) { return input.startsWith(PREFIX); }

    public static BuiltinInput parse(String input) {
        String[] parts = input.substring(PREFIX.length()).split(":", -1);
        if (parts.length > 2) throw new DataException("Bad builtin input '" + input + "': expected builtin:<suite>[:train|:heldout|:reworded]");
        BuiltinSuite suite = BuiltinSuite.parse(parts[0]);
        if (parts.length == 1 || parts[1].equals("train")) return new BuiltinInput(suite, Split.TRAIN);
        if (parts[1].equals(Split.REWORDED.id()) && !suite.reworded())
            throw new DataException("Bad builtin input '" + input + "': suite " + suite.id() + " has no reworded split (suites with one: "
                    + java.util.Arrays.stream(BuiltinSuite.values()).filter(BuiltinSuite::reworded).map(BuiltinSuite::id).toList() + ")");
        for (Split split : Split.values()) if (parts[1].equals(split.id())) return new BuiltinInput(suite, split);
        throw new DataException("Bad builtin input '" + input + "': the split must be 'train', 'heldout' or 'reworded'");
    }
}
