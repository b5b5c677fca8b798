package ai.posttrain.cli;

import java.util.Set;

/** One subcommand of submit/posttrain. */
interface Command {
    String name();

    /** One usage line, shown by `help` and after a usage error. */
    String usage();

    /** Options the command accepts besides the global ones (--conf, --set). */
    Set<String> options();

    /** Options that take no value. */
    default Set<String> flags() { return Set.of(); }

    /** Whether --run DIR continues that run with the configuration it recorded (see {@link RunConfig}). */
    default boolean continuesRuns() { return false; }

    int run(Args args, Context ctx) throws Exception;
}
