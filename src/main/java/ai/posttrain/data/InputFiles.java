package ai.posttrain.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands one input (a file, a directory or a glob, on any Hadoop filesystem) into data files.
 * Directories are read recursively; inside them, and among glob matches, names starting with "." or
 * "_" (_SUCCESS, .crc files) are skipped.
 * Files ending in .parquet/.parq are Parquet, everything else is JSON lines (.gz etc. decompress).
 */
final class InputFiles {
    enum Format { JSONL, PARQUET }

    record DataFile(String path, Format format) {}

    private InputFiles() {}

    static List<DataFile> resolve(String input, Configuration conf) {
        Path pattern = new Path(input);
        List<DataFile> files = new ArrayList<>();
        try {
            FileSystem fs = pattern.getFileSystem(conf);
            boolean isGlob = input.matches(".*[*?\\[{].*");
            FileStatus[] matches = fs.globStatus(pattern);
            if (matches == null) throw new DataException("Input " + input + " does not exist");
            if (matches.length == 0) throw new DataException("Input " + input + " matches no files");
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (!hidden(match.getPath(), f.getPath())) files.add(dataFile(f.getPath()));
                    }
                } else if (!isGlob || !hidden(match.getPath().getParent(), match.getPath())) {
                    files.add(dataFile(match.getPath()));  // a file named outright is always read
                }
            }
        } catch (IOException e) {
            throw new DataException("Cannot list input " + input + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new DataException("Input " + input + " contains no data files");
        files.sort((a, b) -> a.path().compareTo(b.path()));
        return files;
    }

    /** Hidden if the file or any folder between root and the file starts with "." or "_". */
    private static boolean hidden(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
            String name = p.getName();
            if (name.startsWith(".") || name.startsWith("_")) return true;
        }
        return false;
    }

    private static DataFile dataFile(Path path) {
        String name = path.getName().toLowerCase(java.util.Locale.ROOT);
        boolean parquet = name.endsWith(".parquet") || name.endsWith(".parq");
        return new DataFile(path.toString(), parquet ? Format.PARQUET : Format.JSONL);
    }
}
