package ai.posttrain.cli;

import ai.posttrain.data.Message;
import ai.posttrain.format.ModelDirs;
import ai.posttrain.model.Sample;
import ai.posttrain.model.Sampler;
import ai.posttrain.model.SamplingOptions;
import ai.posttrain.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * `generate`: one chat turn with a model (a checkpoint or a Hugging Face folder), rendered by the model's own chat
 * template; greedy unless a temperature is given. Prints the reply; with --ids also the prompt and reply token ids.
 */
final class GenerateCommand implements Command {
    @Override public String name() { return "generate"; }

    @Override public String usage() {
        return "generate --model DIR --prompt TEXT [--system TEXT] [--max-new-tokens N] [--temperature T] [--seed N] [--ids]";
    }

    @Override public Set<String> options() { return Set.of("model", "prompt", "system", "max-new-tokens", "temperature", "seed"); }

    @Override public Set<String> flags() { return Set.of("ids"); }

    @Override
    public int run(Args args, Context ctx) {
        String modelDir = args.option("model"), prompt = args.option("prompt");
        if (modelDir == null || prompt == null) throw new UsageException("--model and --prompt are required");
        int maxNew = args.intOption("max-new-tokens", 128);
        double temperature;
        try {
            temperature = Double.parseDouble(args.option("temperature", "0"));
        } catch (NumberFormatException e) {
            throw new UsageException("--temperature must be a number, got '" + args.option("temperature") + "'");
        }
        ModelDirs.Loaded model = ModelDirs.load(modelDir, new org.apache.hadoop.conf.Configuration());
        ChatTemplate template = ChatTemplate.of(model.tokenizer());
        List<Message> chat = new ArrayList<>();
        if (args.option("system") != null) chat.add(new Message("system", args.option("system")));
        chat.add(new Message("user", prompt));
        int[] ids = template.render(chat, true).ids();
        Set<Integer> stops = Set.copyOf(template.stopIds());
        SamplingOptions options = temperature <= 0 ? SamplingOptions.greedy(maxNew, stops)
                : SamplingOptions.sample(temperature, 0, 1.0, maxNew, stops, args.intOption("seed", 1));
        Sample reply = new Sampler(model.graph(), model.config()).generateFitting(List.of(ids), options).get(0);
        if (args.flag("ids")) {
            ctx.out.println("prompt_ids " + java.util.Arrays.toString(ids));
            ctx.out.println("reply_ids " + java.util.Arrays.toString(reply.tokens()));
        }
        ctx.out.println(template.decodeCompletion(reply.tokens()));
        return 0;
    }
}
