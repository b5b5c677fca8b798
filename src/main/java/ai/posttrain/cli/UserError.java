package ai.posttrain.cli;

/** A mistake in what the user asked for (a missing file, a bad query): one line, exit 1, no stack trace. */
public class UserError extends RuntimeException {
    public UserError(String message) { super(message); }
}
