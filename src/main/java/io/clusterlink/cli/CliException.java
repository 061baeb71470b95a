package io.clusterlink.cli;

/** A failure the command reports as one line on standard error, without a stack trace. */
public class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }
}
