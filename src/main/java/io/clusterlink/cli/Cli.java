package io.clusterlink.cli;

import java.io.PrintWriter;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;

/**
 * Runs one of the commands: a bad flag or a failure is one line on standard error (the tool's name, then
 * what went wrong) and a non-zero exit code, never a stack trace.
 */
public final class Cli {

    /** Exit code of a failed command. */
    public static final int FAILED = 1;
    /** Exit code of a command line picocli could not parse (unknown or missing flags). */
    public static final int USAGE = 2;

    private Cli() {
    }

    /** Runs {@code command} with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine line = new CommandLine(command);
        String name = line.getCommandName();
        line.setOut(out);
        line.setErr(err);
        IParameterExceptionHandler badFlags = (e, a) -> {
            err.println(name + ": " + ServiceClient.oneLine(e.getMessage()) + " (see " + name + " --help)");
            err.flush();
            return USAGE;
        };
        IExecutionExceptionHandler failed = (e, l, parsed) -> {
            String message = e instanceof CliException ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            String prefix = command instanceof Tool tool ? tool.errorPrefix() : name + ": ";
            err.println(prefix + ServiceClient.oneLine(message));
            err.flush();
            return FAILED;
        };
        line.setParameterExceptionHandler(badFlags);
        line.setExecutionExceptionHandler(failed);
        int code = line.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A command that says what failed in its own words. */
    interface Tool {

        /** What a failure's line starts with, e.g. "Error while executing mirror command: ". */
        String errorPrefix();
    }

    static int main(Object command, String... args) {
        return run(command, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static Map<String, String> environment() {
        return System.getenv();
    }
}
