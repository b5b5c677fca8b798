package ai.posttrain.run;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Kryo 4 (Spark's) cannot build its field serializer for Java records, so records that cross a
 * shuffle or a broadcast (examples, rollouts, model bytes) use Java serialization instead.
 */
public final class RecordKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(Record.class, JavaSerializer.class);
    }
}
