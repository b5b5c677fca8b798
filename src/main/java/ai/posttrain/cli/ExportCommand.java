package ai.posttrain.cli;

import ai.posttrain.format.ModelExport;

import java.util.Set;

/** `export`: a checkpoint (or a Hugging Face folder) as a Hugging Face folder or a GGUF file, tokenizer included. */
final class ExportCommand implements Command {
    @Override public String name() { return "export"; }

    @Override public String usage() { return "export --model DIR --format hf|gguf --out DIR [--precision f32|f16|bf16]"; }

    @Override public Set<String> options() { return Set.of("model", "format", "out", "precision"); }

    @Override
    public int run(Args args, Context ctx) {
        String model = required(args, "model"), out = required(args, "out");
        String format = args.format("hf", "gguf");   // --format hf|gguf (default hf)
        String precision = args.option("precision", "f32");
        if (!Set.of("f32", "f16", "bf16").contains(precision) || (format.equals("gguf") && precision.equals("bf16")))
            throw new UsageException("--precision must be f32 or f16" + (format.equals("hf") ? " or bf16" : "") + ", got '" + precision + "'");
        String written = ModelExport.exportModelDir(model, new ModelExport.Options(format, precision,
                new org.apache.hadoop.fs.Path(model).getName()), out, new org.apache.hadoop.conf.Configuration());
        ctx.out.println(written);
        return 0;
    }

    private static String required(Args args, String name) {
        String v = args.option(name);
        if (v == null || v.isBlank()) throw new UsageException("--" + name + " is required");
        return v;
    }
}
