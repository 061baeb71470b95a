package io.clusterlink.kafka;

import java.util.Map;

/** A destination cluster this service manages: its configured name, Kafka cluster id and client properties. */
public record DestinationCluster(String name, String clusterId, Map<String, Object> clientProperties) {
}
