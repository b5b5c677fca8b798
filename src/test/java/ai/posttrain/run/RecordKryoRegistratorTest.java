package ai.posttrain.run;

import ai.posttrain.train.SftExample;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.*;

/** Records through Spark's Kryo with our registrator, as shuffles and task results carry them. */
class RecordKryoRegistratorTest {
    @Test
    void recordsRoundTripInArraysThroughKryosClassLoader() throws Exception {
        SparkConf conf = new SparkConf(false).set("spark.kryo.registrator", RecordKryoRegistrator.class.getName());
        KryoSerializer kryo = new KryoSerializer(conf);
        // Spark sets the loader that holds the submitted jar; records must resolve through it.
        kryo.setDefaultClassLoader(new URLClassLoader(new URL[0], getClass().getClassLoader()));
        SerializerInstance serializer = kryo.newInstance();
        SftExample[] examples = {
                new SftExample("a", "math", new int[]{1, 2, 3}, new boolean[]{false, true, true}),
                new SftExample("b", "code", new int[]{4, 5}, new boolean[]{true, false})};
        var bytes = serializer.serialize(examples, ClassTag$.MODULE$.apply(SftExample[].class));
        SftExample[] back = serializer.deserialize(bytes, ClassTag$.MODULE$.apply(SftExample[].class));
        assertEquals(2, back.length);
        assertEquals("b", back[1].id());
        assertArrayEquals(new int[]{4, 5}, back[1].tokens());
        assertArrayEquals(new boolean[]{false, true, true}, back[0].trained());
    }
}
