package ai.posttrain.format;

/**
 * A model file or folder this project cannot read or write as asked: one line naming the file and the field
 * (e.g. "config.json: rope_scaling: ..."). The CLI prints it without a stack trace and exits with 2.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
