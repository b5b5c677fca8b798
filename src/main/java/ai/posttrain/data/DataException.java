package ai.posttrain.data;

/** A user-facing data problem (missing input, input with no valid record): the CLI prints the message only. */
public class DataException extends RuntimeException {
    public DataException(String message) { super(message); }

    public DataException(String message, Throwable cause) { super(message, cause); }
}
