package ai.posttrain.format.hf;

import ai.posttrain.format.Tensor;

import java.util.Map;

/** A model in Hugging Face terms: its config and its tensors by HF name ([out, in] matrices). */
public record HfModel(HfConfig config, Map<String, Tensor> tensors) {
}
