package ai.posttrain.run;

import ai.posttrain.config.PosttrainConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A run directory on any Hadoop filesystem: {@code manifest.json}, one folder per stage, and one
 * folder per Parquet table. Tables are written through {@link TableWriter}.
 */
public final class RunDir {
    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final FileSystem fs;

    private RunDir(Path root, FileSystem fs) {
        this.root = root;
        this.fs = fs;
    }

    /** Opens (creating if needed) the run at {@code dir}; writes a manifest if there is none yet. */
    public static RunDir open(String dir, PosttrainConfig config, Configuration hadoop) {
        try {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem(hadoop);
            fs.mkdirs(path);
            RunDir run = new RunDir(fs.makeQualified(path), fs);
            if (!fs.exists(run.manifestPath())) run.writeManifest(Manifest.create(run.id(), config));
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open run directory " + dir, e);
        }
    }

    /** The manifest of the run at {@code dir}, if there is a run there (read without creating anything). */
    public static java.util.Optional<Manifest> existingManifest(String dir, Configuration hadoop) {
        try {
            Path manifest = new Path(dir, MANIFEST);
            FileSystem fs = manifest.getFileSystem(hadoop);
            if (!fs.exists(manifest)) return java.util.Optional.empty();
            try (InputStream in = fs.open(manifest)) {
                return java.util.Optional.of(new Manifest((ObjectNode) JSON.readTree(in)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + dir, e);
        }
    }

    /** A new run under {@code run.root}, named by {@code run.id} or the clock. */
    public static RunDir create(PosttrainConfig config, Configuration hadoop) {
        String id = config.run().id().isBlank()
                ? DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                : config.run().id();
        return open(new Path(config.run().root(), id).toString(), config, hadoop);
    }

    public String id() { return root.getName(); }

    public Path root() { return root; }

    public FileSystem fs() { return fs; }

    public Path tablePath(String table) { return new Path(root, table); }

    public Path stageDir(String stage) { return new Path(root, stage); }

    /** Names of the tables present: folders holding Parquet files at any depth. */
    public List<String> tables() {
        List<String> out = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(root)) {
                String name = s.getPath().getName();
                if (s.isDirectory() && !name.startsWith(".") && !name.startsWith("_") && holdsParquet(s.getPath())) {
                    out.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list run directory " + root, e);
        }
        out.sort(null);
        return out;
    }

    private boolean holdsParquet(Path dir) throws IOException {
        var files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            Path p = files.next().getPath();
            if (p.getName().endsWith(".parquet") && !hiddenBelow(dir, p)) return true;
        }
        return false;
    }

    private static boolean hiddenBelow(Path top, Path p) {
        for (Path q = p.getParent(); q != null && !q.equals(top); q = q.getParent()) {
            if (q.getName().startsWith(".") || q.getName().startsWith("_")) return true;
        }
        return false;
    }

    public Manifest manifest() {
        try (InputStream in = fs.open(manifestPath())) {
            return new Manifest((ObjectNode) JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifestPath(), e);
        }
    }

    /** Writes the manifest atomically: a temporary file, then a rename over the old one. */
    public synchronized void writeManifest(Manifest manifest) {
        Path tmp = new Path(root, "." + MANIFEST + "." + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest.json())
                        .getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(manifestPath(), false);
            if (!fs.rename(tmp, manifestPath())) throw new IOException("rename failed: " + tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifestPath(), e);
        }
    }

    private Path manifestPath() { return new Path(root, MANIFEST); }
}
