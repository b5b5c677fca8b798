// llama.cpp's single-sequence sampling speed on a GGUF file, for issue 14's "sampling >= 0.5x llama.cpp" comparison.
// Uses node-llama-cpp's prebuilt CPU llama.cpp from the cache the tests install (LlamaCpp.install():
// ~/.cache/spark-posttrain/llama-cpp-3.21.1, or $POSTTRAIN_LLAMA_CPP_DIR); nothing is compiled.
//
//   ./submit/posttrain export --shape smollm2-135m --format gguf --out /tmp/smollm2-135m   # random-weight artifact
//   node src/bench/llama_cpp_speed.mjs /tmp/smollm2-135m/model.gguf [--threads 2] [--prompt 32] [--new 64]
//
// Prefills a fixed prompt of --prompt token ids, then greedily generates --new tokens for one sequence (F32 KV cache,
// no flash attention, as the engine's sampler runs). tokens_per_s is new tokens over the generation time only;
// prefill_s is reported separately. Prints one JSON line.
import {homedir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";

const args = process.argv.slice(2);
const model = args.find(a => !a.startsWith("--") && !/^\d+$/.test(a));
const option = (name, fallback) => {
    const i = args.indexOf("--" + name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (!model) {
    console.error("usage: node src/bench/llama_cpp_speed.mjs MODEL.gguf [--threads N] [--prompt N] [--new N]");
    process.exit(2);
}
const threads = option("threads", 2), promptTokens = option("prompt", 32), newTokens = option("new", 64);

const dir = process.env.POSTTRAIN_LLAMA_CPP_DIR || join(homedir(), ".cache", "spark-posttrain", "llama-cpp-3.21.1");
const {getLlama} = await import(pathToFileURL(join(dir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const loaded = await llama.loadModel({modelPath: model, gpuLayers: 0});
const contextSize = promptTokens + newTokens + 8;
const context = await loaded.createContext({
    contextSize, sequences: 1, threads, batchSize: contextSize, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
});
const sequence = context.getSequence();

// Token ids 0..255 are bytes in every vocabulary the project exports; a fixed pseudo-random prompt among them.
const prompt = Array.from({length: promptTokens}, (_, i) => 32 + (i * 37) % 90);
let generated = 0, firstTokenAt = 0;
const cpu0 = process.cpuUsage();   // all of the process's threads (llama.cpp's workers included)
const start = performance.now();
for await (const token of sequence.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
    if (generated === 0) firstTokenAt = performance.now();
    if (++generated >= newTokens) break;
}
const end = performance.now();
const cpu = process.cpuUsage(cpu0), cpuSeconds = (cpu.user + cpu.system) / 1e6;
// the first token comes out of the prefill; the rest are one decode step each
const decodeSeconds = (end - firstTokenAt) / 1000;
console.log(JSON.stringify({
    tokens_per_s: (generated - 1) / decodeSeconds,
    threads: context.currentThreads ?? threads,
    prompt: promptTokens,
    new_tokens: generated,
    prefill_s: (firstTokenAt - start) / 1000,
    // as the engine's bench counts (prefill included), per wall second and per CPU second x threads
    tokens_per_s_incl_prefill: generated / ((end - start) / 1000),
    tokens_per_cpu_s_x_threads_incl_prefill: generated / cpuSeconds * threads,
    total_s: (end - start) / 1000,
    model,
    llama_cpp: "node-llama-cpp 3.21.1 prebuilt CPU",
}));
await context.dispose();
await loaded.dispose();
await llama.dispose();
