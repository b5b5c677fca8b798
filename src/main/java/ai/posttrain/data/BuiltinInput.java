package ai.posttrain.data;

/** An input string {@code builtin:<suite>}, {@code builtin:<suite>:train} or {@code builtin:<suite>:heldout}. */
record BuiltinInput(BuiltinSuite suite, Split split) {
    static final String PREFIX = "builtin:";

    static boolean isBuiltin(String input) { return input.startsWith(PREFIX); }

    static BuiltinInput parse(String input) {
        String[] parts = input.substring(PREFIX.length()).split(":", -1);
        if (parts.length > 2) throw new DataException("Bad builtin input '" + input + "': expected builtin:<suite>[:heldout]");
        BuiltinSuite suite = BuiltinSuite.parse(parts[0]);
        if (parts.length == 1 || parts[1].equals("train")) return new BuiltinInput(suite, Split.TRAIN);
        if (parts[1].equals("heldout")) return new BuiltinInput(suite, Split.HELDOUT);
        throw new DataException("Bad builtin input '" + input + "': the split must be 'train' or 'heldout'");
    }
}
