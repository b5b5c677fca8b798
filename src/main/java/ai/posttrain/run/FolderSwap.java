package ai.posttrain.run;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * Replaces a folder atomically through the Hadoop FileSystem: the new content is written into a hidden
 * sibling, the old folder is moved aside, the new one renamed into place, the old one deleted. A
 * reader never sees half a folder; {@link #recover} finishes a swap that a killed job left half done.
 * Every table (TableWriter) and the report go through it.
 */
public final class FolderSwap {
    private FolderSwap() {}

    /** Fills the temporary folder (which does not exist yet) with the new content. */
    public interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    public static void replace(FileSystem fs, Path target, Content content) {
        Path tmp = new Path(target.getParent(), ".tmp-" + target.getName() + "-" + UUID.randomUUID());
        Path old = new Path(target.getParent(), ".old-" + target.getName() + "-" + UUID.randomUUID());
        try {
            fs.mkdirs(target.getParent());
            content.writeTo(tmp);
            boolean hadOld = fs.exists(target);
            if (hadOld && !fs.rename(target, old)) throw new IOException("cannot move aside " + target);
            if (!fs.rename(tmp, target)) {
                if (hadOld) fs.rename(old, target);
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            if (hadOld) fs.delete(old, true);
        } catch (IOException e) {
            deleteQuietly(fs, tmp);
            throw new UncheckedIOException("cannot write " + target, e);
        } catch (RuntimeException e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
    }

    /**
     * Finishes a swap that a killed job left half done: the old folder moved aside but the new one not
     * yet in place (put the old one back: the job that was writing redoes its write when it resumes),
     * or the new one in place but the old one not yet deleted.
     */
    public static void recover(FileSystem fs, Path target) {
        try {
            if (!fs.exists(target.getParent())) return;
            FileStatus[] aside = fs.listStatus(target.getParent(),
                    p -> p.getName().startsWith(".old-" + target.getName() + "-") && p.getName().length() == target.getName().length() + 42);
            for (FileStatus old : aside) {
                if (!fs.exists(target) && fs.rename(old.getPath(), target)) continue;
                fs.delete(old.getPath(), true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover " + target, e);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException ignored) {
            // Best effort: a leftover hidden temporary folder is invisible to readers.
        }
    }
}
