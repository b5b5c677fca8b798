package ai.posttrain.cli;

import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.Split;

import java.util.List;
import java.util.Set;

/** `data --out DIR`: writes every built-in suite as train and held-out JSONL that users can read and replace. */
final class DataCommand implements Command {
    @Override public String name() { return "data"; }

    @Override public String usage() { return "data --out DIR [--train N] [--heldout N]"; }

    @Override public Set<String> options() { return Set.of("out", "train", "heldout"); }

    @Override
    public int run(Args args, Context ctx) {
        String out = args.option("out");
        if (out == null) throw new UsageException("--out DIR is required");
        if (!args.positional().isEmpty()) throw new UsageException("unexpected argument '" + args.positional().get(0) + "'");
        BuiltinData base = ctx.builtinData();
        BuiltinData data = base.withCounts(args.intOption("train", base.count(Split.TRAIN)),
                args.intOption("heldout", base.count(Split.HELDOUT)));
        List<String> written = data.writeJsonl(out, ctx.hadoopConfiguration());
        for (String path : written) ctx.out.println(path);
        ctx.err.println("wrote " + written.size() + " files to " + out);
        return 0;
    }
}
