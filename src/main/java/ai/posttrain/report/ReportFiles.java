package ai.posttrain.report;

import ai.posttrain.run.FolderSwap;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.util.Map;

/**
 * Writes a folder of files through the Hadoop FileSystem atomically: into a hidden temporary folder
 * first, which then replaces the old folder, so a reader never sees half a report.
 */
final class ReportFiles {
    private ReportFiles() {}

    static void replace(FileSystem fs, Path target, Map<String, byte[]> files) {
        FolderSwap.replace(fs, target, tmp -> {
            fs.mkdirs(tmp);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                try (FSDataOutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
                    out.write(f.getValue());
                }
            }
        });
    }
}
