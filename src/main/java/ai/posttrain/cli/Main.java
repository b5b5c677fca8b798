package ai.posttrain.cli;

import ai.posttrain.config.ConfigError;
import ai.posttrain.data.DataException;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entry point of submit/posttrain and of spark-submit. Exit codes: 0 success, 2 usage or
 * configuration error (one line naming the key or option), 1 anything else.
 */
public final class Main {
    private static final Set<String> GLOBAL_OPTIONS = Set.of("conf", "set");

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.<Command>of(new PipelineCommand(), new StageCommand(), new EvalCommand(), new DataCommand(),
                new ValidateCommand(), new SqlCommand(), new BenchCommand(), new ReportCommand(), new ExportCommand(),
                new GenerateCommand())) COMMANDS.put(c.name(), c);
    }

    private Main() {}

    public static void main(String[] argv) {
        int code;
        try {
            code = run(argv, System.out, System.err);
        } catch (Throwable t) {
            // Not a user mistake: a bug or an environment failure, so the stack trace helps.
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /** ND4J's garbage must be collected in time whatever the command does; a malformed cap is a usage error. */
    private static void startOffHeapGuard() {
        try {
            ai.posttrain.model.OffHeapGuard.start();
        } catch (IllegalArgumentException e) {
            throw new ConfigError("-D" + ai.posttrain.model.OffHeapGuard.CAP_PROPERTY, e.getMessage());
        }
    }

    /** Runs one command; never calls System.exit, so tests can drive it in-process. */
    public static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            printUsage(out);
            return argv.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(argv[0]);
        if (command == null) {
            err.println("error: unknown command '" + argv[0] + "' (commands: " + String.join(", ", COMMANDS.keySet()) + ")");
            return 2;
        }
        try {
            Set<String> flags = new HashSet<>(command.flags());
            Args args = Args.parse(java.util.Arrays.copyOfRange(argv, 1, argv.length), flags);
            Set<String> known = new HashSet<>(GLOBAL_OPTIONS);
            known.addAll(command.options());
            known.addAll(command.flags());
            args.allowOnly(known);
            RunConfig.Loaded config = RunConfig.load(args, command.continuesRuns());
            startOffHeapGuard();
            return command.run(args, new Context(out, err, config));
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("usage: posttrain " + command.usage());
            return 2;
        } catch (ConfigError e) {
            err.println("config error: " + e.getMessage());
            return 2;
        } catch (ai.posttrain.format.ModelFormatException e) {   // a model folder/file the engine cannot load or write
            err.println("error: " + e.getMessage());
            return 2;
        } catch (UserError | DataException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void printUsage(PrintStream out) {
        out.println("usage: posttrain <command> [options] [--conf FILE] [--set key=value ...]");
        out.println("commands:");
        for (Command c : COMMANDS.values()) out.println("  " + c.usage());
    }
}
