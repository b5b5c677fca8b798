package ai.posttrain.report;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a folder of files through the Hadoop FileSystem atomically: into a hidden temporary folder
 * first, which then replaces the old folder, so a reader never sees half a report.
 */
final class ReportFiles {
    private ReportFiles() {}

    static void replace(FileSystem fs, Path target, Map<String, byte[]> files) {
        Path tmp = new Path(target.getParent(), ".tmp-" + target.getName() + "-" + UUID.randomUUID());
        Path old = new Path(target.getParent(), ".old-" + target.getName() + "-" + UUID.randomUUID());
        try {
            fs.mkdirs(tmp);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                try (FSDataOutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
                    out.write(f.getValue());
                }
            }
            boolean hadOld = fs.exists(target);
            if (hadOld && !fs.rename(target, old)) throw new IOException("cannot move aside " + target);
            if (!fs.rename(tmp, target)) {
                if (hadOld) fs.rename(old, target);
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            if (hadOld) fs.delete(old, true);
        } catch (IOException e) {
            try {
                fs.delete(tmp, true);
            } catch (IOException ignored) {
                // Best effort: a leftover hidden folder is harmless.
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
