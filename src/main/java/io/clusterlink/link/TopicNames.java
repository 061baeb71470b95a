package io.clusterlink.link;

import java.util.regex.Pattern;

/**
 * Name rules: topic names (Kafka's), link names (Cluster Linking's), consumer group names in
 * filters, and source cluster ids. Every name that enters through the API, in a path, a query
 * parameter or a body, is checked here before it reaches the store or a Kafka client.
 */
public final class TopicNames {

    static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
    static final int MAX_TOPIC_LENGTH = 249;
    static final int MAX_LINK_LENGTH = 200;
    static final int MAX_GROUP_LENGTH = 255;
    static final int MAX_CLUSTER_ID_LENGTH = 64;
    private static final int MAX_PRINTED = 80;
    /** Room for a reason from a library (e.g. a Kafka client's) quoted in a message. */
    public static final int MAX_MESSAGE_PART = 500;

    private TopicNames() {
    }

    public static void checkTopic(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new ClusterLinkException.InvalidRequest(what + " is required");
        }
        if (!isLegalTopic(name)) {
            throw new ClusterLinkException.InvalidRequest(what + " '" + printable(name)
                    + "' is illegal: use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'");
        }
    }

    static boolean isLegalTopic(String name) {
        return name.length() <= MAX_TOPIC_LENGTH && !name.equals(".") && !name.equals("..")
                && LEGAL.matcher(name).matches();
    }

    public static void checkLink(String name) {
        if (name == null || name.isEmpty()) {
            throw new ClusterLinkException.InvalidRequest("link_name is required");
        }
        if (name.length() > MAX_LINK_LENGTH || name.equals(".") || name.equals("..")
                || !LEGAL.matcher(name).matches()) {
            throw new ClusterLinkException.InvalidRequest("Link name '" + printable(name)
                    + "' is illegal, valid characters: [a-zA-Z0-9._-], at most 200 characters, not '.' or '..'");
        }
    }

    /**
     * A consumer group name in a filter: Kafka allows almost any string, so only length and
     * control characters are limited. Throws IllegalArgumentException, as the filter parsers do.
     */
    static void checkGroup(String where, String name) {
        if (name.length() > MAX_GROUP_LENGTH || name.codePoints().anyMatch(TopicNames::unprintable)) {
            throw new IllegalArgumentException(where + " '" + printable(name) + "' is illegal: a group name has at "
                    + "most " + MAX_GROUP_LENGTH + " characters and no control characters");
        }
    }

    /** An expected source cluster id: Kafka cluster ids are short base64 strings. */
    public static void checkClusterId(String what, String id) {
        if (id != null && !id.isEmpty() && (id.length() > MAX_CLUSTER_ID_LENGTH || !LEGAL.matcher(id).matches())) {
            throw new ClusterLinkException.InvalidRequest(what + " '" + printable(id)
                    + "' is illegal: use 1 to 64 of [a-zA-Z0-9._-]");
        }
    }

    /**
     * Makes a value safe to echo in a message or a log line: at most 80 characters (then "..."),
     * with control, format and separator characters escaped as {@code \\uXXXX}.
     */
    public static String printable(String s) {
        return printable(s, MAX_PRINTED);
    }

    /** {@link #printable(String)} with room for {@code max} characters, for longer texts such as a client's reason. */
    public static String printable(String s, int max) {
        if (s == null) {
            return "null";
        }
        boolean cut = s.length() > max;
        String head = cut ? s.substring(0, max) : s;
        StringBuilder sb = new StringBuilder(head.length() + 8);
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < head.length()
                    && Character.isLowSurrogate(head.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(head.charAt(i - 1));
            if (!pairedSurrogate && unprintable(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return cut ? sb.append("...").toString() : sb.toString();
    }

    private static boolean unprintable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED ->
                true;
            default -> false;
        };
    }
}
