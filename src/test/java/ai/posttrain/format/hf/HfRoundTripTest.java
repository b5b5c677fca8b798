package ai.posttrain.format.hf;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.RandomHfModels;
import ai.posttrain.format.Tensor;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.format.safetensors.SafetensorsFolder;
import ai.posttrain.format.safetensors.SafetensorsWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HfRoundTripTest {
    @TempDir Path tmp;

    /** import -> export -> import: every parameter bit-identical, the exported tensors equal the source's. */
    @Test
    void exportThenImportIsBitExact() throws Exception {
        for (HfConfig cfg : new HfConfig[]{RandomHfModels.smolLm2(), RandomHfModels.qwen25(false)}) {
            Path src = tmp.resolve(cfg.modelType() + "-src"), out = tmp.resolve(cfg.modelType() + "-out");
            Map<String, Tensor> written = RandomHfModels.writeFolder(src, cfg, 5, DType.F32);
            HfImport.Imported first = HfImport.load(src.toString(), 0);
            HfExport.write(first.graph(), first.config(), out.toString(), HfExport.Options.of(first.hfConfig(), src.toString()),
                    new Configuration());
            HfImport.Imported second = HfImport.load(out.toString(), 0);

            assertEquals(first.config(), second.config());
            assertEquals(first.graph().getVertices().length, second.graph().getVertices().length);
            for (var layer : first.graph().getLayers()) {
                for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                    INDArray other = second.graph().getLayer(layer.conf().getLayer().getLayerName()).getParam(p.getKey());
                    assertArrayEquals(p.getValue().dup('c').data().asFloat(), other.dup('c').data().asFloat(),
                            layer.conf().getLayer().getLayerName() + "." + p.getKey());
                }
            }
            try (SafetensorsFolder exported = SafetensorsFolder.open(out.toString())) {
                assertEquals(written.keySet(), exported.names());
                for (String n : written.keySet()) assertEquals(written.get(n), exported.read(n), n);
            }
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals(cfg.architecture(), config.path("architectures").get(0).asText());
            assertEquals(cfg.tieWordEmbeddings(), config.path("tie_word_embeddings").asBoolean());
            assertEquals("float32", config.path("torch_dtype").asText());
            assertEquals(128, config.path("max_position_embeddings").asInt());
            assertTrue(config.has("transformers_version"));
            assertTrue(Files.exists(out.resolve("generation_config.json")));
            assertArrayEquals(Files.readAllBytes(src.resolve("tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));
            assertTrue(Files.exists(out.resolve("tokenizer_config.json")));
        }
    }

    /** A tied model whose head has moved away from the embedding (training) is exported untied. */
    @Test
    void tiedModelWithATrainedHeadExportsUntied() throws Exception {
        Path src = tmp.resolve("src"), out = tmp.resolve("out");
        RandomHfModels.writeFolder(src, RandomHfModels.llama32(), 5, DType.F32);
        HfImport.Imported m = HfImport.load(src.toString(), 64);
        assertEquals(64, m.config().maxSeqLen());
        assertTrue(m.config().tiedEmbeddings());
        m.graph().getLayer("lm_head").getParam("W").getRow(0).addi(1e-3);
        HfModel exported = HfExport.write(m.graph(), m.config(), out.toString(), HfExport.Options.of(m.hfConfig(), null),
                new Configuration());
        assertFalse(exported.config().tieWordEmbeddings());
        assertTrue(exported.tensors().containsKey(HfTensorNames.LM_HEAD));
        HfImport.Imported back = HfImport.load(out.toString(), 0);
        assertFalse(back.config().tiedEmbeddings());
        assertArrayEquals(m.graph().getLayer("lm_head").getParam("W").dup('c').data().asFloat(),
                back.graph().getLayer("lm_head").getParam("W").dup('c').data().asFloat());
    }

    @Test
    void shardedBf16FolderImportsAndBadFoldersNameFileAndField() throws Exception {
        HfConfig cfg = RandomHfModels.qwen25(true);
        Path src = tmp.resolve("single");
        Map<String, Tensor> w = RandomHfModels.writeFolder(src, cfg, 9, DType.BF16);
        Path sharded = tmp.resolve("sharded");
        Files.createDirectories(sharded);
        Files.copy(src.resolve("config.json"), sharded.resolve("config.json"));
        SafetensorsFolder.write(sharded.toString(), w, DType.BF16, 20_000, new Configuration());
        assertTrue(Files.exists(sharded.resolve(SafetensorsFolder.INDEX)));
        HfImport.Imported a = HfImport.load(src.toString(), 0), b = HfImport.load(sharded.toString(), 0);
        assertEquals(a.graph().params(), b.graph().params());

        // a tensor with the wrong shape
        Map<String, Tensor> bad = new LinkedHashMap<>(w);
        bad.put(HfTensorNames.down(1), Tensor.of(new float[64 * 159], 64, 159));
        SafetensorsWriter.write(src.resolve("model.safetensors").toString(), bad, DType.F32);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfImport.load(src.toString(), 0));
        assertTrue(e.getMessage().endsWith("model.safetensors: model.layers.1.mlp.down_proj.weight: shape [64, 159] does not match config.json (expected [64, 160])"),
                e.getMessage());

        // a tensor the architecture has no place for
        bad = new LinkedHashMap<>(w);
        bad.put("model.layers.0.self_attn.o_proj.bias", Tensor.of(new float[64], 64));
        SafetensorsWriter.write(src.resolve("model.safetensors").toString(), bad, DType.F32);
        e = assertThrows(ModelFormatException.class, () -> HfImport.load(src.toString(), 0));
        assertTrue(e.getMessage().endsWith("model.safetensors: model.layers.0.self_attn.o_proj.bias: tensor not used by Qwen2ForCausalLM (unsupported)"),
                e.getMessage());

        // a missing tensor
        bad = new LinkedHashMap<>(w);
        bad.remove(HfTensorNames.FINAL_NORM);
        SafetensorsWriter.write(src.resolve("model.safetensors").toString(), bad, DType.F32);
        e = assertThrows(ModelFormatException.class, () -> HfImport.load(src.toString(), 0));
        assertTrue(e.getMessage().endsWith("model.norm.weight: tensor is missing"), e.getMessage());
    }
}
