package io.clusterlink.link;

import java.util.regex.Pattern;

/** Kafka topic and link name rules. */
public final class TopicNames {

    static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final int MAX_TOPIC_LENGTH = 249;
    private static final int MAX_LINK_LENGTH = 200;

    private TopicNames() {
    }

    public static void checkTopic(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new ClusterLinkException.InvalidRequest(what + " is required");
        }
        if (name.length() > MAX_TOPIC_LENGTH || name.equals(".") || name.equals("..")
                || !LEGAL.matcher(name).matches()) {
            throw new ClusterLinkException.InvalidRequest(what + " '" + printable(name)
                    + "' is illegal: use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'");
        }
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

    /** Keeps echoed input short and free of control characters. */
    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
