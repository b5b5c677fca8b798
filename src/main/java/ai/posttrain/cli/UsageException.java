package ai.posttrain.cli;

/** A command-line mistake: printed as one line, exit code 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) { super(message); }
}
