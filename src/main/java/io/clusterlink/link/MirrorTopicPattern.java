package io.clusterlink.link;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code mirror_topic_name_pattern} with a bounded cost. Java's regular expressions backtrack,
 * so a pattern like {@code (a+)+$} takes exponential time on a long name. Matching reads the name
 * through a {@link CharSequence} that counts character reads; once one request has read more than
 * its budget, or its matching has taken longer than its deadline, matching stops and the request
 * is refused as too expensive, whatever the pattern.
 */
public final class MirrorTopicPattern {

    static final int MAX_LENGTH = 1000;
    /**
     * Character reads allowed for one request over all names it is matched against: a linear
     * pattern reads each character a few times, so this is far above any reasonable pattern on
     * thousands of 249-character names.
     */
    static final long DEFAULT_BUDGET = 5_000_000L;
    /** Wall-clock bound for one request, checked every {@value #CLOCK_EVERY} reads. */
    static final Duration DEFAULT_DEADLINE = Duration.ofMillis(250);
    private static final int CLOCK_EVERY = 4096;

    private final Pattern pattern;
    private final long deadlineNanos;
    private long remaining;

    private MirrorTopicPattern(Pattern pattern, long budget, Duration deadline) {
        this.pattern = pattern;
        this.remaining = budget;
        this.deadlineNanos = System.nanoTime() + deadline.toNanos();
    }

    public static MirrorTopicPattern compile(String regex) {
        return compile(regex, DEFAULT_BUDGET);
    }

    static MirrorTopicPattern compile(String regex, long budget) {
        return compile(regex, budget, DEFAULT_DEADLINE);
    }

    static MirrorTopicPattern compile(String regex, long budget, Duration deadline) {
        if (regex.length() > MAX_LENGTH) {
            throw new ClusterLinkException.InvalidRequest(
                    "mirror_topic_name_pattern is longer than " + MAX_LENGTH + " characters");
        }
        try {
            return new MirrorTopicPattern(Pattern.compile(regex), budget, deadline);
        } catch (PatternSyntaxException e) {
            throw new ClusterLinkException.InvalidRequest("mirror_topic_name_pattern is not a valid regular "
                    + "expression: " + TopicNames.printable(e.getDescription()));
        } catch (RuntimeException | StackOverflowError e) {
            // The JDK's pattern compiler fails on some odd inputs with other exceptions or deep recursion.
            throw new ClusterLinkException.InvalidRequest("mirror_topic_name_pattern is not a valid regular "
                    + "expression");
        }
    }

    /** Whether the whole name matches; throws once this pattern has used up its budget. */
    public boolean matches(String name) {
        Matcher matcher = pattern.matcher(new Counted(name));
        try {
            return matcher.matches();
        } catch (TooExpensive | StackOverflowError e) {
            remaining = 0;
            throw new ClusterLinkException.InvalidRequest("mirror_topic_name_pattern is too expensive to evaluate: "
                    + "use a simpler pattern, or give the names in 'mirror_topic_names'");
        }
    }

    /** Thrown from inside the matcher when the budget is used up; carries no stack trace. */
    private static final class TooExpensive extends RuntimeException {
        TooExpensive() {
            super(null, null, false, false);
        }
    }

    /** The name as the matcher sees it: each character read costs one unit of the budget. */
    private final class Counted implements CharSequence {

        private final String s;

        Counted(String s) {
            this.s = s;
        }

        @Override
        public char charAt(int index) {
            if (--remaining < 0 || remaining % CLOCK_EVERY == 0 && System.nanoTime() - deadlineNanos > 0) {
                remaining = 0;
                throw new TooExpensive();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Counted(s.substring(start, end));
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
