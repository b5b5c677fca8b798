// Evaluates token sequences with llama.cpp (node-llama-cpp, CPU build, never compiled here) on a GGUF file.
// stdin:  {"model": PATH, "vocab": n, "sequences": [[ids]...], "greedy": [{"prompt": [ids], "maxTokens": n}...],
//          "tokenize": [text...], "detokenize": [[ids]...]}
// stdout: {"logProbs": [[[vocab floats] per position] per sequence], "greedy": [[ids] per prompt],
//          "tokenized": [[ids]...], "detokenized": [text...],
//          "kvCacheKey": ggml type id (0 = F32), "kvCacheValue": ..., "flashAttention": false}
// Flash attention is off by default: llama.cpp's CPU flash-attention kernel rounds through F16 (4e-3 log-prob
// differences measured on the test models, against 5e-6 without it).
// logProbs[s][t] is log p(next | tokens[0..t]) over the whole vocabulary, from llama.cpp's sampler with
// temperature 1, no top-k/top-p/min-p and no penalties, i.e. the model's own softmax.
import {getLlama} from "node-llama-cpp";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath: request.model, gpuLayers: 0});
const contextSize = request.contextSize ?? 256;
const kv = request.kvCache ?? "F32";
let used = {};

async function freshSequence() {
    const context = await model.createContext({
        contextSize, sequences: 1, threads: 2, batchSize: contextSize, flashAttention: request.flashAttention ?? false,
        experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv,
    });
    used = {kvCacheKey: context.kvCacheKeyType, kvCacheValue: context.kvCacheValueType, flashAttention: context.flashAttention};
    return {context, sequence: context.getSequence()};
}

const ownDistribution = {temperature: 1, topK: 0, topP: 1, minP: 0};
const logProbs = [];
for (const tokens of request.sequences ?? []) {
    const {context, sequence} = await freshSequence();
    const input = tokens.map(t => [t, {generateNext: {probabilities: true, options: ownDistribution}}]);
    const out = await sequence.controlledEvaluate(input);
    const rows = [];
    for (const item of out) {
        const probs = item.next.probabilities;
        const n = request.vocab;
        const lp = new Array(n).fill(null);
        for (const [token, p] of probs) lp[token] = Math.log(p);
        rows.push(lp);
    }
    logProbs.push(rows);
    await context.dispose();
}

const greedy = [];
for (const g of request.greedy ?? []) {
    const {context, sequence} = await freshSequence();
    const generated = [];
    for await (const token of sequence.evaluate(g.prompt, {temperature: 0, yieldEogToken: true})) {
        generated.push(token);
        if (generated.length >= g.maxTokens) break;
    }
    greedy.push(generated);
    await context.dispose();
}

const tokenized = (request.tokenize ?? []).map(text => Array.from(model.tokenize(text, false)));
const detokenized = (request.detokenize ?? []).map(ids => model.detokenize(ids));

process.stdout.write(JSON.stringify({logProbs, greedy, tokenized, detokenized, ...used}));
await model.dispose();
await llama.dispose();
