package io.clusterlink.api;

import java.util.Locale;

import io.clusterlink.link.ClusterLinkException;

/** Query parameters are taken as strings and parsed here, so a bad value is a 400 that names it. */
final class Params {

    private Params() {
    }

    static boolean bool(String name, String value, boolean defaultValue) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ClusterLinkException.InvalidRequest(
                    "Query parameter '" + name + "' must be true or false");
        };
    }
}
