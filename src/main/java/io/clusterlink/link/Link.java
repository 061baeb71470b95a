package io.clusterlink.link;

import java.util.Map;

/** A link as the services see it; {@code configs} hold plain values (decrypted). */
public record Link(long id, String clusterId, String name, String clusterLinkId, String sourceClusterId,
        Map<String, String> configs, LinkState state, LinkError error, String errorMessage) {

    public LinkSettings settings() {
        return LinkConfigs.settings(configs);
    }
}
