package ai.posttrain.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed command line: positional words and "--name value" options (repeatable). */
public final class Args {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();

    /** Parses {@code argv}; every option takes a value, except those in {@code flags}. */
    public static Args parse(String[] argv, Set<String> flags) {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String w = argv[i];
            if (w.startsWith("--") && w.length() > 2) {
                String name = w.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (flags.contains(name)) {
                    value = "true";
                } else {
                    if (i + 1 >= argv.length) throw new UsageException("--" + name + " needs a value");
                    value = argv[++i];
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                a.positional.add(w);
            }
        }
        return a;
    }

    public List<String> positional() { return positional; }

    public String option(String name) {
        List<String> v = options.get(name);
        if (v == null) return null;
        if (v.size() > 1) throw new UsageException("--" + name + " given more than once");
        return v.get(0);
    }

    public String option(String name, String fallback) {
        String v = option(name);
        return v == null ? fallback : v;
    }

    public int intOption(String name, int fallback) {
        String v = option(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a positive integer, got '" + v + "'");
        }
    }

    public List<String> options(String name) { return options.getOrDefault(name, List.of()); }

    public boolean flag(String name) { return "true".equals(option(name)); }

    /** Fails on any option the command does not know, so typos are not ignored. */
    public void allowOnly(Set<String> known) {
        for (String name : options.keySet()) {
            if (!known.contains(name)) throw new UsageException("unknown option --" + name);
        }
    }

    public String format(String... allowed) {
        String f = option("format", allowed[0]);
        if (!List.of(allowed).contains(f)) throw new UsageException("--format must be one of " + List.of(allowed) + ", got '" + f + "'");
        return f;
    }
}
