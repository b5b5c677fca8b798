package ai.posttrain.run;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.ObjectMap;
import org.apache.spark.serializer.KryoRegistrator;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/**
 * Kryo 4 (Spark's) cannot build its field serializer for Java records, so records that cross a
 * shuffle or a broadcast (examples, rollouts, model bytes) use Java serialization instead.
 */
public final class RecordKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(Record.class, RecordSerializer.class);
    }

    /**
     * Kryo's Java serialization, reading classes through Kryo's class loader. Kryo 4's own
     * JavaSerializer resolves them through the JVM's application class loader, which on a cluster
     * does not hold the submitted jar (a driver's task-result thread, an executor): ClassNotFoundException.
     */
    public static final class RecordSerializer extends JavaSerializer {
        @Override
        @SuppressWarnings("rawtypes")
        public Object read(Kryo kryo, Input input, Class type) {
            try {
                // One stream per object graph, as the writer (JavaSerializer.write) keeps one.
                ObjectMap<Object, Object> graph = kryo.getGraphContext();
                ObjectInputStream in = (ObjectInputStream) graph.get(this);
                if (in == null) {
                    in = new LoaderObjectInputStream(input, kryo.getClassLoader());
                    graph.put(this, in);
                }
                return in.readObject();
            } catch (Exception e) {
                throw new KryoException("Error during Java deserialization.", e);
            }
        }
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader != null ? loader : RecordKryoRegistrator.class.getClassLoader();
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                // The loader that loaded this jar sees every record class of the application.
                try {
                    return Class.forName(desc.getName(), false, RecordKryoRegistrator.class.getClassLoader());
                } catch (ClassNotFoundException again) {
                    return super.resolveClass(desc);   // primitives' and the JDK's classes
                }
            }
        }
    }
}
